namespace GoMicro.Basket.Infrastructure;

/// <summary>
/// One hash per basket (field = product id, value = quantity), so concurrent writes to
/// different lines never overwrite each other. A basket's keys share a hash tag ({user}) and
/// so a Redis Cluster slot, which Lua scripts over them need.
/// </summary>
internal static class RedisKeys
{
    public static RedisKey Basket(Guid userId) => $"basket:{{{userId:N}}}:lines";

    public static RedisKey BasketUpdated(Guid userId) => $"basket:{{{userId:N}}}:updated";

    public static RedisKey Product(string productId) => $"basket:product:{productId}";

    public static RedisKey Inbox(Guid userId, Guid messageId) => $"basket:{{{userId:N}}}:inbox:{messageId:N}";
}
