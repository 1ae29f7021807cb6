using System.Globalization;
using GoMicro.Products.Infrastructure;
using GoMicro.Products.V1;
using GoMicro.ServiceDefaults.Paging;
using Product = GoMicro.Products.Model.Product;
using ProductMessage = GoMicro.Products.V1.Product;

namespace GoMicro.Products.Catalog;

/// <summary>
/// The public catalog reads: from <see cref="ProductCache"/> when it has them, else from
/// PostgreSQL (and then cached). The database context is resolved only on a miss: a hit costs no
/// context, no connection and no query.
/// </summary>
public sealed class CatalogReads(ProductCache cache, IServiceProvider services)
{
    private ProductsDbContext Db => services.GetRequiredService<ProductsDbContext>();

    public async Task<ProductMessage> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (cache.TryGet(id, out var cached))
        {
            CacheMetrics.ProductHits.Inc();
            return cached.Message ?? throw NotFound(id);
        }
        CacheMetrics.ProductMisses.Inc();
        var ticket = cache.Begin();
        // Deleted rows too: their revision is what keeps an older copy from being cached again.
        var row = await Db.Products.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        return (row is null ? null : cache.Store(ticket, row)) ?? throw NotFound(id);
    }

    /// <summary>A page; <paramref name="text"/> and <paramref name="category"/> are validated and trimmed.</summary>
    public async Task<ListProductsResponse> ListAsync(int size, string pageToken, string text, string category, ProductSort sort, CancellationToken cancellationToken)
    {
        var key = new ProductCache.PageKey(size, pageToken, text, category, sort);
        if (cache.TryGetPage(key, out var page) && await HydrateAsync(page.Ids, cancellationToken) is { } products)
        {
            CacheMetrics.PageHits.Inc();
            return Response(products, page.NextToken);
        }
        CacheMetrics.PageMisses.Inc();
        var ticket = cache.Begin();
        var (rows, next) = await QueryPageAsync(size, pageToken, text, category, sort, cancellationToken);
        var messages = rows.Select(row => cache.Store(ticket, row)!).ToList();
        cache.StorePage(ticket, key, [.. rows.Select(r => r.Id)], next);
        return Response(messages, next);
    }

    private static ListProductsResponse Response(IEnumerable<ProductMessage> products, string nextToken)
    {
        var response = new ListProductsResponse { NextPageToken = nextToken };
        response.Products.AddRange(products);
        return response;
    }

    /// <summary>A cached page's products, from the cache or one query for the rest; null when one is gone (the page is out of date).</summary>
    private async Task<List<ProductMessage>?> HydrateAsync(Guid[] ids, CancellationToken cancellationToken)
    {
        var products = new ProductMessage?[ids.Length];
        List<Guid>? missing = null;
        for (var i = 0; i < ids.Length; i++)
        {
            if (cache.TryGet(ids[i], out var cached))
            {
                if (cached.Message is null)
                {
                    return null;
                }
                products[i] = cached.Message;
            }
            else
            {
                (missing ??= []).Add(ids[i]);
            }
        }
        if (missing is not null)
        {
            CacheMetrics.ProductMisses.Inc(missing.Count);
            var ticket = cache.Begin();
            var rows = await Db.Products.IgnoreQueryFilters().AsNoTracking().Where(p => missing.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
            for (var i = 0; i < ids.Length; i++)
            {
                if (products[i] is null)
                {
                    if (!rows.TryGetValue(ids[i], out var row) || cache.Store(ticket, row) is not { } message)
                    {
                        return null;
                    }
                    products[i] = message;
                }
            }
        }
        return [.. products.Select(p => p!)];
    }

    private async Task<(List<Product> Rows, string NextToken)> QueryPageAsync(int size, string pageToken, string text, string category, ProductSort sort, CancellationToken cancellationToken)
    {
        var after = Paging.DecodeToken(pageToken);
        var query = Db.Products.AsNoTracking();
        if (text.Length > 0)
        {
            // Served by the trigram indexes on name and description (pg_trgm), not by reading every product.
            var pattern = "%" + EscapeLike(text) + "%";
            query = query.Where(p => EF.Functions.ILike(p.Name, pattern) || EF.Functions.ILike(p.Description, pattern));
        }
        if (category.Length > 0)
        {
            var exact = EscapeLike(category);
            query = query.Where(p => EF.Functions.ILike(p.Category, exact));
        }

        // Keyset paging on (sort key, id): stable while products are added or removed.
        var byPrice = sort is ProductSort.Price or ProductSort.PriceDesc;
        var (key, lastId) = after ?? ("", Guid.Empty);
        var priceKey = after is not null && byPrice
            ? long.TryParse(key, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw RpcErrors.InvalidArgument("page_token", "does not belong to this sort order")
            : 0;
        var hasAfter = after is not null;
        query = sort switch
        {
            ProductSort.Price => (hasAfter ? query.Where(p => EF.Functions.GreaterThan(ValueTuple.Create(p.PriceCents, p.Id), ValueTuple.Create(priceKey, lastId))) : query)
                .OrderBy(p => p.PriceCents).ThenBy(p => p.Id),
            ProductSort.PriceDesc => (hasAfter ? query.Where(p => EF.Functions.LessThan(ValueTuple.Create(p.PriceCents, p.Id), ValueTuple.Create(priceKey, lastId))) : query)
                .OrderByDescending(p => p.PriceCents).ThenByDescending(p => p.Id),
            ProductSort.NameDesc => (hasAfter ? query.Where(p => EF.Functions.LessThan(ValueTuple.Create(p.Name, p.Id), ValueTuple.Create(key, lastId))) : query)
                .OrderByDescending(p => p.Name).ThenByDescending(p => p.Id),
            _ => (hasAfter ? query.Where(p => EF.Functions.GreaterThan(ValueTuple.Create(p.Name, p.Id), ValueTuple.Create(key, lastId))) : query)
                .OrderBy(p => p.Name).ThenBy(p => p.Id),
        };

        var page = await query.Take(size + 1).ToListAsync(cancellationToken);
        var next = "";
        if (page.Count > size)
        {
            var last = page[size - 1];
            next = Paging.EncodeToken(byPrice ? last.PriceCents.ToString(CultureInfo.InvariantCulture) : last.Name, last.Id);
            page.RemoveAt(size);
        }
        return (page, next);
    }

    /// <summary>User text matched literally by ILIKE: its wildcards are escaped.</summary>
    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static Grpc.Core.RpcException NotFound(Guid id) => RpcErrors.NotFound($"product {id} does not exist");
}
