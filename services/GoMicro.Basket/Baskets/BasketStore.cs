using System.Globalization;
using GoMicro.Basket.Infrastructure;
using Microsoft.Extensions.Options;

namespace GoMicro.Basket.Baskets;

/// <summary>A stored line: the product and how many.</summary>
public sealed record StoredLine(string ProductId, int Quantity);

/// <summary>
/// Baskets in Redis. Every change is one Lua script, so a check (line limit, inbox) and the
/// write it guards cannot be split by a concurrent request, and every write restarts the
/// basket's idle expiry.
/// </summary>
public sealed class BasketStore(IDatabase redis, IOptions<BasketOptions> options, TimeProvider clock)
{
    private const string SetItemScript = """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
          return -1
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[4])
        return redis.call('HLEN', KEYS[1])
        """;

    private const string RemoveItemScript = """
        redis.call('HDEL', KEYS[1], ARGV[1])
        if redis.call('EXISTS', KEYS[1]) == 1 then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
        else
          redis.call('DEL', KEYS[2])
        end
        return 1
        """;

    // Takes the paid quantities out of the basket (not the whole basket: a line added after
    // checkout stays), once per message id.
    private const string ApplyPaymentScript = """
        if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[1]) then
          return 0
        end
        for i = 4, #ARGV, 2 do
          local left = redis.call('HINCRBY', KEYS[1], ARGV[i], -tonumber(ARGV[i + 1]))
          if left <= 0 then
            redis.call('HDEL', KEYS[1], ARGV[i])
          end
        end
        if redis.call('EXISTS', KEYS[1]) == 1 then
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
          redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
        else
          redis.call('DEL', KEYS[2])
        end
        return 1
        """;

    private long IdleMs => (long)options.Value.IdleExpiry.TotalMilliseconds;

    private string Now => clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public async Task<(IReadOnlyList<StoredLine> Lines, DateTimeOffset? UpdatedAt)> GetAsync(Guid userId)
    {
        var batch = redis.CreateBatch();
        var lines = batch.HashGetAllAsync(RedisKeys.Basket(userId));
        var updated = batch.StringGetAsync(RedisKeys.BasketUpdated(userId));
        batch.Execute();
        var stored = (await lines)
            .Select(e => new StoredLine(e.Name.ToString(), (int)e.Value))
            .OrderBy(l => l.ProductId, StringComparer.Ordinal)
            .ToList();
        var at = await updated;
        return (stored, at.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds((long)at) : null);
    }

    /// <summary>Adds the line or sets its quantity; false when the basket already has the maximum number of lines.</summary>
    public async Task<bool> SetAsync(Guid userId, string productId, int quantity)
    {
        var result = (long)await redis.ScriptEvaluateAsync(SetItemScript,
            [RedisKeys.Basket(userId), RedisKeys.BasketUpdated(userId)],
            [productId, quantity, BasketOptions.MaxLines, IdleMs, Now]);
        return result >= 0;
    }

    public Task RemoveAsync(Guid userId, string productId) =>
        redis.ScriptEvaluateAsync(RemoveItemScript, [RedisKeys.Basket(userId), RedisKeys.BasketUpdated(userId)], [productId, IdleMs, Now]);

    public Task ClearAsync(Guid userId) =>
        redis.KeyDeleteAsync([RedisKeys.Basket(userId), RedisKeys.BasketUpdated(userId)]);

    /// <summary>Removes what a payment bought; false when this message was already applied.</summary>
    public async Task<bool> ApplyPaymentAsync(Guid userId, Guid messageId, IEnumerable<StoredLine> paid)
    {
        var args = new List<RedisValue> { (long)options.Value.InboxRetention.TotalMilliseconds, Now, IdleMs };
        foreach (var line in paid)
        {
            args.Add(line.ProductId);
            args.Add(line.Quantity);
        }
        var applied = (long)await redis.ScriptEvaluateAsync(ApplyPaymentScript,
            [RedisKeys.Basket(userId), RedisKeys.BasketUpdated(userId), RedisKeys.Inbox(userId, messageId)], [.. args]);
        return applied == 1;
    }
}
