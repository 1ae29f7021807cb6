using System.Collections.Concurrent;
using GoMicro.Basket.Infrastructure;
using GoMicro.Products.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace GoMicro.Basket.ProductInfo;

/// <summary>
/// Product facts from the products service, cached briefly in Redis for display and dropped
/// when products announces a change; in front of Redis, each replica keeps what it read for
/// <see cref="BasketOptions.ProductMemoryTtl"/> (a basket read is then one Redis round trip, not
/// two). The change event drops both on the replica that consumes it; another replica's memory
/// lets go within that time. Any failure to reach products is UNAVAILABLE here, never products'
/// own status leaking through.
/// </summary>
public sealed partial class ProductInfoCache(
    ProductsService.ProductsServiceClient products, IDatabase redis, IOptions<BasketOptions> options, TimeProvider clock, ILogger<ProductInfoCache> logger)
{
    private readonly ConcurrentDictionary<string, (Product Product, long ReadAt)> _memory = new(StringComparer.Ordinal);
    private int _entries;

    // Grows with every forget. A read that began before a forget does not cache what it read: it
    // may be the very value the forget dropped, and putting it back would undo the change event.
    private long _forgets;

    /// <summary>The product as products knows it now (for adding to the basket); null when unknown or deleted.</summary>
    public async Task<Product?> GetCurrentAsync(string productId, CancellationToken cancellationToken)
    {
        var forgets = Interlocked.Read(ref _forgets);
        var found = await FetchAsync([productId], cancellationToken);
        await CacheAsync(found, forgets);
        return found.Count > 0 ? found[0] : null;
    }

    /// <summary>
    /// Products for display: from the cache, the rest from products. When products cannot be
    /// reached the answer is what the cache had: the basket still shows.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, Product>> GetForDisplayAsync(IReadOnlyCollection<string> productIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, Product>();
        if (productIds.Count == 0)
        {
            return result;
        }
        var forgets = Interlocked.Read(ref _forgets);
        var now = clock.GetTimestamp();
        var memoryTtl = options.Value.ProductMemoryTtl;
        foreach (var id in productIds)
        {
            if (_memory.TryGetValue(id, out var kept) && clock.GetElapsedTime(kept.ReadAt, now) < memoryTtl)
            {
                result[id] = kept.Product;
            }
        }
        var ids = productIds.Where(id => !result.ContainsKey(id)).ToArray();
        if (ids.Length == 0)
        {
            return result;
        }
        var cached = await redis.StringGetAsync([.. ids.Select(RedisKeys.Product)]);
        for (var i = 0; i < ids.Length; i++)
        {
            if (cached[i].HasValue)
            {
                Remember(result[ids[i]] = Product.Parser.ParseFrom((byte[])cached[i]!), now, forgets);
            }
        }
        var missing = ids.Where(id => !result.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            try
            {
                var fetched = await FetchAsync(missing, cancellationToken);
                await CacheAsync(fetched, forgets);
                foreach (var product in fetched)
                {
                    result[product.Id] = product;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                LogShowingStale(logger, missing.Count);
            }
        }
        return result;
    }

    public Task ForgetAsync(string productId)
    {
        Interlocked.Increment(ref _forgets);
        _memory.TryRemove(productId, out _);
        return redis.KeyDeleteAsync(RedisKeys.Product(productId));
    }

    private bool ForgotSince(long forgets) => Interlocked.Read(ref _forgets) != forgets;

    /// <summary>
    /// Keeps a product read at <paramref name="readAt"/> in memory, unless a forget came since
    /// the read began; a full memory is emptied (products are few, baskets look at the same ones).
    /// </summary>
    private void Remember(Product product, long readAt, long forgets)
    {
        if (options.Value.ProductMemoryTtl <= TimeSpan.Zero || ForgotSince(forgets))
        {
            return;
        }
        if (_memory.TryAdd(product.Id, (product, readAt)))
        {
            if (Interlocked.Increment(ref _entries) > MaxInMemory)
            {
                _memory.Clear();
                Interlocked.Exchange(ref _entries, 0);
            }
            return;
        }
        _memory[product.Id] = (product, readAt);
    }

    private const int MaxInMemory = 10_000;

    private async Task<IReadOnlyList<Product>> FetchAsync(IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        try
        {
            var response = await products.GetProductsAsync(new GetProductsRequest { Ids = { ids } }, cancellationToken: cancellationToken);
            return response.Products;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogProductsUnavailable(logger, ex.GetBaseException().Message);
            throw RpcErrors.Unavailable("The product catalog is unavailable; try again shortly.");
        }
    }

    private Task CacheAsync(IReadOnlyCollection<Product> found, long forgets)
    {
        var now = clock.GetTimestamp();
        foreach (var product in found)
        {
            Remember(product, now, forgets);
        }
        return ForgotSince(forgets)
            ? Task.CompletedTask
            : Task.WhenAll(found.Select(p => redis.StringSetAsync(RedisKeys.Product(p.Id), p.ToByteArray(), options.Value.ProductCacheTtl)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Products unreachable: {Reason}")]
    private static partial void LogProductsUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Showing {Count} basket lines without fresh product data")]
    private static partial void LogShowingStale(ILogger logger, int count);
}
