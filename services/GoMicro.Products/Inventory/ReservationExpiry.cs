using GoMicro.Products.Infrastructure;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.Extensions.Options;

namespace GoMicro.Products.Inventory;

/// <summary>Section "Products:Reservations".</summary>
public sealed class ReservationOptions
{
    /// <summary>How often expired holds are looked for.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Returns the stock of holds whose payment never settled in time (a crashed checkout, a
/// provider outage). One short transaction per reservation, claimed with SKIP LOCKED, so
/// replicas share the work and a commit racing the expiry waits for it (or it for the commit).
/// </summary>
internal sealed partial class ReservationExpiry(
    IServiceScopeFactory scopes, IOptions<ReservationOptions> options, TimeProvider clock, ILogger<ReservationExpiry> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await ExpireOneAsync(stoppingToken))
                {
                }
                failures = 0;
                await Task.Delay(options.Value.SweepInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogSweepFailed(logger, ex.GetBaseException().Message);
                await Task.Delay(Backoff.Capped(++failures, TimeSpan.FromSeconds(30)), clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Releases one expired hold; false when there is none.</summary>
    internal async Task<bool> ExpireOneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNowForPostgres();
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reservation expiry failed, retrying: {Reason}")]
    private static partial void LogSweepFailed(ILogger logger, string reason);
}
