using GoMicro.Products.Infrastructure;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.Extensions.Options;

namespace GoMicro.Products.Inventory;

/// <summary>Section "Products:Reservations".</summary>
public sealed class ReservationOptions
{
    /// <summary>How often expired holds are looked for.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the stock announcer gathers reservations after the first one wakes it, so that a
    /// busy product's changes of that time make one StockChanged (its latest state), not one each.
    /// </summary>
    public TimeSpan AnnounceDelay { get; set; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>
/// Returns the stock of holds whose payment never settled in time (a crashed checkout, a
/// provider outage). One short transaction per reservation, claimed with SKIP LOCKED, so
/// replicas share the work and a commit racing the expiry waits for it (or it for the commit).
/// </summary>
internal sealed partial class ReservationExpiry(
    IServiceScopeFactory scopes, IOptions<ReservationOptions> options, TimeProvider clock, ILogger<ReservationExpiry> logger) : PollingWorker(clock, logger)
{
    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override Task<bool> RunOnceAsync(CancellationToken cancellationToken) => ExpireOneAsync(cancellationToken);

    /// <summary>Releases one expired hold; false when there is none.</summary>
    internal async Task<bool> ExpireOneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = Clock.GetUtcNowForPostgres();
        var expired = await db.Database
            .SqlQuery<Guid>($"SELECT payment_id AS \"Value\" FROM stock_reservations WHERE state = 'Held' AND expires_at < {now} ORDER BY expires_at LIMIT 1 FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);
        if (expired.Count == 0)
        {
            return false;
        }
        await scope.ServiceProvider.GetRequiredService<StockReservations>().ReleaseAsync(expired[0], "expired before the payment settled", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogExpired(logger, expired[0]);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stock reserved for payment {PaymentId} expired before the payment settled; returned it")]
    private static partial void LogExpired(ILogger logger, Guid paymentId);
}
