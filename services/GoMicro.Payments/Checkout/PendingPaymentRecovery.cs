using GoMicro.Payments.Infrastructure;
using GoMicro.Payments.Providers;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.Extensions.Options;

namespace GoMicro.Payments.Checkout;

/// <summary>Section "Payments:Recovery".</summary>
public sealed class RecoveryOptions
{
    /// <summary>A pending payment untouched for this long was abandoned: longer than any checkout in progress (its provider budget is seconds).</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Settles payments left Pending (a replica died mid-checkout, or the provider's answer was
/// lost) by asking the provider what became of each: charged means Succeeded (and
/// PaymentSucceeded), no charge means Failed (and PaymentFailed, which releases the stock).
/// So a payment is charged once or not at all. Each payment is claimed in a short transaction
/// of its own (SKIP LOCKED, then its clock is moved on so no other replica takes it for a
/// while); the provider is called outside any transaction, so no lock is held across it.
/// </summary>
internal sealed partial class PendingPaymentRecovery(
    IServiceScopeFactory scopes, IPaymentProvider provider, IOptions<RecoveryOptions> options, TimeProvider clock, ILogger<PendingPaymentRecovery> logger)
    : PollingWorker(clock, logger)
{
    protected override TimeSpan Interval => options.Value.Interval;

    protected override Task<bool> RunOnceAsync(CancellationToken cancellationToken) => SettleOneAsync(cancellationToken);

    /// <summary>Settles one stale pending payment; false when there is none.</summary>
    internal async Task<bool> SettleOneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var now = Clock.GetUtcNowForPostgres();
        var cutoff = now - options.Value.StaleAfter;
        var claimed = await db.Database.SqlQuery<Guid>($"""
            UPDATE payments SET updated_at = {now}
            WHERE id = (SELECT id FROM payments WHERE status = 'Pending' AND updated_at < {cutoff} ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
        if (claimed.Count == 0)
        {
            return false;
        }
        var payment = await db.Payments.FirstAsync(p => p.Id == claimed[0], cancellationToken);
        LogSettling(logger, payment.Id);
        ChargeResult found;
        try
        {
            found = await provider.FindChargeAsync(payment.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is PaymentProviderUnavailableException or Polly.Timeout.TimeoutRejectedException)
        {
            // Still unknown: it stays Pending and is asked about again after StaleAfter.
            LogStillUnknown(logger, payment.Id, ex.Message);
            return true;
        }
        await scope.ServiceProvider.GetRequiredService<PaymentSettlement>().RecordAsync(payment, found);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settling payment {PaymentId} left pending: asking the provider")]
    private static partial void LogSettling(ILogger logger, Guid paymentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payment {PaymentId} stays pending: the provider cannot say yet ({Reason})")]
    private static partial void LogStillUnknown(ILogger logger, Guid paymentId, string reason);
}
