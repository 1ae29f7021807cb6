using GoMicro.Products.Infrastructure;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.Extensions.Options;

namespace GoMicro.Products.Inventory;

/// <summary>Section "Products:Reservations".</summary>
public sealed class ReservationOptions
{
    /// <summary>How often expired holds (and stock events a crash left unwritten) are looked for.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How old a reservation whose stock events are still unwritten must be before the sweeper
    /// writes them: the request that reserved writes them right after, unless it crashed.
    /// </summary>
    public TimeSpan UnannouncedAfter { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Returns the stock of holds whose payment never settled in time (a crashed checkout, a
/// provider outage). One short transaction per reservation, claimed with SKIP LOCKED, so
/// replicas share the work and a commit racing the expiry waits for it (or it for the commit).
/// Also writes the stock events of a reservation whose request stopped between taking the
/// stock and writing them (<see cref="StockReservations.AnnounceAsync"/>).
/// </summary>
internal sealed partial class ReservationExpiry(
    IServiceScopeFactory scopes, IOptions<ReservationOptions> options, TimeProvider clock, ILogger<ReservationExpiry> logger) : PollingWorker(clock, logger)
{
    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override async Task<bool> RunOnceAsync(CancellationToken cancellationToken) =>
        await ExpireOneAsync(cancellationToken) | await AnnounceOneAsync(cancellationToken);

    /// <summary>Writes the stock events one reservation still owes; false when none does.</summary>
    internal async Task<bool> AnnounceOneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductsDbContext>();
        var before = Clock.GetUtcNowForPostgres() - options.Value.UnannouncedAfter;
        var owing = await db.StockReservations.AsNoTracking()
            .Where(r => r.StockEventsPending && r.CreatedAt < before)
            .OrderBy(r => r.CreatedAt)
            .Select(r => r.PaymentId)
            .Take(1)
            .ToListAsync(cancellationToken);
        if (owing.Count == 0)
        {
            return false;
        }
        if (await scope.ServiceProvider.GetRequiredService<StockReservations>().AnnounceAsync(owing[0], cancellationToken))
        {
            LogAnnounced(logger, owing[0]);
        }
        return true;
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stock events of payment {PaymentId}'s reservation were not written when it was made (its request stopped); written now")]
    private static partial void LogAnnounced(ILogger logger, Guid paymentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stock reserved for payment {PaymentId} expired before the payment settled; returned it")]
    private static partial void LogExpired(ILogger logger, Guid paymentId);
}
