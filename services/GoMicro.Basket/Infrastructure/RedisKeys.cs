namespace GoMicro.Basket.Infrastructure;

/// <summary>
/// One hash per basket (field = product id, value = "quantity:version"), so concurrent writes to
/// different lines never overwrite each other. A basket's keys share a hash tag ({user}) and
/// so a Redis Cluster slot, which Lua scripts over them need.
/// </summary>
internal static class RedisKeys
{
    public static RedisKey Basket(Guid userId) => $"basket:{{{userId:N}}}:lines";

    public static RedisKey BasketUpdated(Guid userId) => $"basket:{{{userId:N}}}:updated";

    /// <summary>The basket's version: incremented by every change, kept when the basket is cleared.</summary>
    public static RedisKey BasketVersion(Guid userId) => $"basket:{{{userId:N}}}:version";

    public static RedisKey Product(string productId) => $"basket:product:{productId}";
}
