using GoMicro.Payments.Infrastructure;
using GoMicro.Payments.Providers;
using Microsoft.Extensions.Options;

namespace GoMicro.Payments.Checkout;

/// <summary>Section "Payments:Recovery".</summary>
public sealed class RecoveryOptions
{
    /// <summary>A pending payment older than this was abandoned: longer than any checkout in progress (its provider budget is seconds).</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Finishes payments left Pending by a replica that died between claiming the idempotency
/// key and recording the charge: charges them again (idempotent per payment id at the
/// provider), so the outcome, and PaymentSucceeded, are never lost.
/// </summary>
internal sealed partial class PendingPaymentRecovery(
    IServiceScopeFactory scopes, IPaymentProvider provider, IOptions<RecoveryOptions> options, TimeProvider clock, ILogger<PendingPaymentRecovery> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        try
        {
            do
            {
                try
                {
                    await RecoverAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRecoveryFailed(logger, ex.GetBaseException().Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var cutoff = clock.GetUtcNow() - options.Value.StaleAfter;
        // SKIP LOCKED: with several replicas, each stale payment is finished by one of them.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var stale = await db.Payments
            .FromSqlInterpolated($"SELECT *, xmin FROM payments WHERE status = 'Pending' AND updated_at < {cutoff} ORDER BY updated_at LIMIT 20 FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);
        foreach (var payment in stale)
        {
            LogRecovering(logger, payment.Id);
            await CheckoutService.ChargeAsync(db, provider, payment, clock, logger, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finishing payment {PaymentId} left pending")]
    private static partial void LogRecovering(ILogger logger, Guid paymentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pending-payment recovery failed: {Reason}")]
    private static partial void LogRecoveryFailed(ILogger logger, string reason);
}
