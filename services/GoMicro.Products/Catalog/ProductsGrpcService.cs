using System.Globalization;
using GoMicro.Events.V1;
using GoMicro.Messaging.Outbox;
using GoMicro.Products.Infrastructure;
using GoMicro.Products.Inventory;
using GoMicro.Products.V1;
using GoMicro.ServiceDefaults.Auth;
using GoMicro.ServiceDefaults.Paging;
using GoMicro.ServiceDefaults.Validation;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Product = GoMicro.Products.Model.Product;
using ProductMessage = GoMicro.Products.V1.Product;

namespace GoMicro.Products.Catalog;

public sealed class ProductsGrpcService(ProductsDbContext db, StockReservations reservations, TimeProvider clock) : ProductsService.ProductsServiceBase
{
    [AllowAnonymous]
    public override async Task<ListProductsResponse> ListProducts(ListProductsRequest request, ServerCallContext context)
    {
        var size = Paging.PageSize(request.PageSize);
        var after = Paging.DecodeToken(request.PageToken);
        var text = ProductRules.Query(request.Query);
        var category = ProductRules.CategoryFilter(request.Category);
        var query = db.Products.AsNoTracking();
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
        var byPrice = request.Sort is ProductSort.Price or ProductSort.PriceDesc;
        var (key, lastId) = after ?? ("", Guid.Empty);
        var priceKey = after is not null && byPrice
            ? long.TryParse(key, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw RpcErrors.InvalidArgument("page_token", "does not belong to this sort order")
            : 0;
        var hasAfter = after is not null;
        query = request.Sort switch
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

        var page = await query.Take(size + 1).ToListAsync(context.CancellationToken);
        var response = new ListProductsResponse();
        response.Products.AddRange(page.Take(size).Select(p => p.ToMessage()));
        if (page.Count > size)
        {
            var last = page[size - 1];
            response.NextPageToken = Paging.EncodeToken(byPrice ? last.PriceCents.ToString(CultureInfo.InvariantCulture) : last.Name, last.Id);
        }
        return response;
    }

    [AllowAnonymous]
    public override async Task<ProductMessage> GetProduct(GetProductRequest request, ServerCallContext context) =>
        (await FindAsync(ProductRules.Id(request.Id), tracked: false, context)).ToMessage();

    [AllowAnonymous]
    public override async Task<GetProductsResponse> GetProducts(GetProductsRequest request, ServerCallContext context)
    {
        if (request.Ids.Count > ProductRules.MaxBatch)
        {
            throw RpcErrors.InvalidArgument("ids", $"at most {ProductRules.MaxBatch} ids per call");
        }
        var ids = request.Ids.Select(id => ProductRules.Id(id, "ids")).Distinct().ToList();
        var products = await db.Products.AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(context.CancellationToken);
        var response = new GetProductsResponse();
        response.Products.AddRange(products.Select(p => p.ToMessage()));
        return response;
    }

    [Authorize(Policy = Roles.Admin)]
    public override async Task<ProductMessage> CreateProduct(CreateProductRequest request, ServerCallContext context)
    {
        var price = MoneyRules.Positive(request.Price, "price");
        var now = clock.GetUtcNowForPostgres();
        var product = new Product
        {
            Id = Guid.CreateVersion7(),
            Name = ProductRules.Name(request.Name),
            Description = ProductRules.Description(request.Description),
            Category = ProductRules.Category(request.Category),
            PriceCents = price.AmountCents,
            Currency = price.Currency,
            Stock = ProductRules.Stock(request.Stock),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Products.Add(product);
        db.AddEvent(product.ToCreated());
        db.AddEvent(product.ToStockChanged());
        await db.SaveChangesAsync(context.CancellationToken);
        return product.ToMessage();
    }

    [Authorize(Policy = Roles.Admin)]
    public override async Task<ProductMessage> UpdateProduct(UpdateProductRequest request, ServerCallContext context)
    {
        var id = ProductRules.Id(request.Id);
        var name = ProductRules.Name(request.Name);
        var description = ProductRules.Description(request.Description);
        var category = ProductRules.Category(request.Category);
        var price = MoneyRules.Positive(request.Price, "price");
        var stock = ProductRules.Stock(request.Stock);
        if (request.Version == 0)
        {
            throw RpcErrors.InvalidArgument("version", "is required: send the version of the product you read");
        }

        var product = await FindAsync(id, tracked: true, context);
        // The version the client read, not the one just loaded, decides whether its write is stale.
        db.Entry(product).Property(p => p.Version).OriginalValue = request.Version;
        var stockChanged = product.Stock != stock;
        (product.Name, product.Description, product.Category) = (name, description, category);
        (product.PriceCents, product.Currency, product.Stock) = (price.AmountCents, price.Currency, stock);
        product.Changed(clock.GetUtcNowForPostgres());
        db.AddEvent(product.ToUpdated());
        if (stockChanged)
        {
            db.AddEvent(product.ToStockChanged());
        }
        try
        {
            await db.SaveChangesAsync(context.CancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw RpcErrors.Aborted("version: the product was changed by someone else since you read it; read it again and retry");
        }
        return product.ToMessage();
    }

    [Authorize(Policy = Roles.Admin)]
    public override async Task<Empty> DeleteProduct(DeleteProductRequest request, ServerCallContext context)
    {
        var product = await FindAsync(ProductRules.Id(request.Id), tracked: true, context);
        product.Changed(clock.GetUtcNowForPostgres());
        product.DeletedAt = product.UpdatedAt;
        db.AddEvent(product.ToDeleted());
        try
        {
            await db.SaveChangesAsync(context.CancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw RpcErrors.Aborted("the product changed while it was being deleted; retry");
        }
        return new Empty();
    }

    /// <summary>Called by payments (its service key) on behalf of the buyer (their token), before charging.</summary>
    [Authorize(Policy = ServiceKeys.PaymentsPolicy)]
    public override async Task<ReserveStockResponse> ReserveStock(ReserveStockRequest request, ServerCallContext context)
    {
        var paymentId = ProductRules.Id(request.PaymentId, "payment_id");
        if (request.Lines.Count is 0 or > ProductRules.MaxReservationLines)
        {
            throw RpcErrors.InvalidArgument("lines", $"1 to {ProductRules.MaxReservationLines} lines");
        }
        var wanted = new Dictionary<Guid, int>();
        foreach (var line in request.Lines)
        {
            var id = ProductRules.Id(line.ProductId, "lines.product_id");
            if (line.Quantity is <= 0 or > ProductRules.MaxStock)
            {
                throw RpcErrors.InvalidArgument("lines.quantity", $"must be 1 to {ProductRules.MaxStock}");
            }
            wanted[id] = checked(wanted.GetValueOrDefault(id) + line.Quantity);
        }
        var ttl = request.Ttl is null || request.Ttl.ToTimeSpan() == TimeSpan.Zero ? StockReservations.DefaultTtl : request.Ttl.ToTimeSpan();
        if (ttl < TimeSpan.FromSeconds(1) || ttl > StockReservations.MaxTtl)
        {
            throw RpcErrors.InvalidArgument("ttl", $"must be 1 s to {StockReservations.MaxTtl}");
        }
        var expiresAt = await reservations.ReserveAsync(paymentId, wanted, ttl, context.GetUserId(), context.CancellationToken);
        return new ReserveStockResponse { ExpiresAt = Timestamp.FromDateTimeOffset(expiresAt) };
    }

    [Authorize(Policy = ServiceKeys.PaymentsPolicy)]
    public override async Task<Empty> ReleaseStock(ReleaseStockRequest request, ServerCallContext context)
    {
        var paymentId = ProductRules.Id(request.PaymentId, "payment_id");
        await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
        await reservations.ReleaseForAsync(paymentId, context.GetUserId(), "released by payments", context.CancellationToken);
        await transaction.CommitAsync(context.CancellationToken);
        return new Empty();
    }

    /// <summary>User text matched literally by ILIKE: its wildcards are escaped.</summary>
    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private async Task<Product> FindAsync(Guid id, bool tracked, ServerCallContext context)
    {
        var query = tracked ? db.Products : db.Products.AsNoTracking();
        return await query.FirstOrDefaultAsync(p => p.Id == id, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"product {id} does not exist");
    }
}
