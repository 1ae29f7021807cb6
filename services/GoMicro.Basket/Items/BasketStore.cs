using System.Globalization;
using GoMicro.Basket.Infrastructure;
using Microsoft.Extensions.Options;

namespace GoMicro.Basket.Items;

/// <summary>A stored line: the product, how many, and the basket version that last set it.</summary>
public sealed record StoredLine(string ProductId, int Quantity, long Version = 0)
{
    /// <summary>Reads "quantity:version" (or a bare quantity, as baskets stored before versions were).</summary>
    public static StoredLine Parse(string productId, string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? new(productId, int.Parse(value, CultureInfo.InvariantCulture))
            : new(productId, int.Parse(value.AsSpan(0, colon), CultureInfo.InvariantCulture), long.Parse(value.AsSpan(colon + 1), CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// Baskets in Redis. Every change is one Lua script, so a check (line limit, version) and the
/// write it guards cannot be split by a concurrent request, and every write restarts the
/// basket's idle expiry. Every change takes the next number from the basket's version counter,
/// which each line records ("quantity:version"): checkout reads the newest version among the
/// lines it priced, and the paid lines are later removed only if they have not changed since.
/// The counter outlives a cleared basket, so versions never go back.
/// </summary>
public sealed class BasketStore(IDatabase redis, IOptions<BasketOptions> options, TimeProvider clock)
{
    private const string SetItemScript = """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
          return -1
        end
        local version = redis.call('INCR', KEYS[3])
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. version)
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        redis.call('PEXPIRE', KEYS[3], ARGV[4])
        redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[4])
        return redis.call('HLEN', KEYS[1])
        """;

    private const string RemoveItemScript = """
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('INCR', KEYS[3])
        redis.call('PEXPIRE', KEYS[3], ARGV[2])
        if redis.call('EXISTS', KEYS[1]) == 1 then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
        else
          redis.call('DEL', KEYS[2])
        end
        return 1
        """;

    private const string ClearScript = """
        redis.call('DEL', KEYS[1], KEYS[2])
        redis.call('INCR', KEYS[3])
        redis.call('PEXPIRE', KEYS[3], ARGV[1])
        return 1
        """;

    // Removes each paid line whose version is at most the version checkout paid for: what was
    // added or changed after checkout stays. Idempotent by itself: a redelivery finds nothing
    // more to remove.
    private const string ApplyPaymentScript = """
        local removed = 0
        for i = 3, #ARGV do
          local value = redis.call('HGET', KEYS[1], ARGV[i])
          if value then
            local colon = string.find(value, ':', 1, true)
            local version = 0
            if colon then version = tonumber(string.sub(value, colon + 1)) end
            if version <= tonumber(ARGV[1]) then
              redis.call('HDEL', KEYS[1], ARGV[i])
              removed = removed + 1
            end
          end
        end
        if removed > 0 then
          if redis.call('EXISTS', KEYS[1]) == 1 then
            redis.call('SET', KEYS[2], ARGV[2], 'PX', redis.call('PTTL', KEYS[1]))
          else
            redis.call('DEL', KEYS[2])
          end
        end
        return removed
        """;

    private long IdleMs => (long)options.Value.IdleExpiry.TotalMilliseconds;

    private string Now => clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The lines, when the basket last changed, and its version: the newest version among the
    /// lines read, taken from that one read (HGETALL is atomic), so it never covers a change
    /// the caller did not see.
    /// </summary>
    public async Task<(IReadOnlyList<StoredLine> Lines, DateTimeOffset? UpdatedAt, long Version)> GetAsync(Guid userId)
    {
        var batch = redis.CreateBatch();
        var lines = batch.HashGetAllAsync(RedisKeys.Basket(userId));
        var updated = batch.StringGetAsync(RedisKeys.BasketUpdated(userId));
        batch.Execute();
        var stored = (await lines)
            .Select(e => StoredLine.Parse(e.Name.ToString(), e.Value.ToString()))
            .OrderBy(l => l.ProductId, StringComparer.Ordinal)
            .ToList();
        var at = await updated;
        return (stored, at.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds((long)at) : null, stored.Count > 0 ? stored.Max(l => l.Version) : 0);
    }

    /// <summary>Adds the line or sets its quantity; false when the basket already has the maximum number of lines.</summary>
    public async Task<bool> SetAsync(Guid userId, string productId, int quantity)
    {
        var result = (long)await redis.ScriptEvaluateAsync(SetItemScript, Keys(userId),
            [productId, quantity, BasketRules.MaxLines, IdleMs, Now]);
        return result >= 0;
    }

    public Task RemoveAsync(Guid userId, string productId) =>
        redis.ScriptEvaluateAsync(RemoveItemScript, Keys(userId), [productId, IdleMs, Now]);

    public Task ClearAsync(Guid userId) =>
        redis.ScriptEvaluateAsync(ClearScript, Keys(userId), [IdleMs]);

    /// <summary>Removes the paid lines unchanged since <paramref name="paidVersion"/>; returns how many.</summary>
    public async Task<long> ApplyPaymentAsync(Guid userId, long paidVersion, IEnumerable<string> paidProductIds)
    {
        var args = new List<RedisValue> { paidVersion, Now };
        args.AddRange(paidProductIds.Select(id => (RedisValue)id));
        return (long)await redis.ScriptEvaluateAsync(ApplyPaymentScript, Keys(userId), [.. args]);
    }

    private static RedisKey[] Keys(Guid userId) => [RedisKeys.Basket(userId), RedisKeys.BasketUpdated(userId), RedisKeys.BasketVersion(userId)];
}
