using GoMicro.Events.V1;
using GoMicro.Messaging.Outbox;
using GoMicro.Payments.Checkout;
using GoMicro.Payments.Infrastructure;
using GoMicro.Payments.Providers;
using GoMicro.ServiceDefaults.Hosting;
using Google.Protobuf.WellKnownTypes;

namespace GoMicro.Payments.Refunds;

/// <summary>
/// Refunds RefundPending payments until the provider confirms each (the provider's refund is
/// idempotent per payment), then records Refunded with PaymentRefunded. Each payment is claimed
/// in a short transaction (SKIP LOCKED, its clock moved on), and the provider is called outside
/// it; while the provider is down the worker backs off (capped) and tries again, for as long as
/// it takes.
/// </summary>
public sealed partial class RefundWorker(IServiceScopeFactory scopes, IPaymentProvider provider, TimeProvider clock, ILogger<RefundWorker> logger)
    : PollingWorker(clock, logger)
{
    private static readonly TimeSpan ClaimFor = TimeSpan.FromSeconds(30);

    protected override TimeSpan Interval => TimeSpan.FromSeconds(5);

    protected override Task<bool> RunOnceAsync(CancellationToken cancellationToken) => RefundOneAsync(cancellationToken);

    /// <summary>Refunds one payment; false when none is waiting. Throws while the provider or the database is unavailable.</summary>
    internal async Task<bool> RefundOneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var now = Clock.GetUtcNowForPostgres();
        var claimed = await db.Database.SqlQuery<Guid>($"""
            UPDATE payments SET updated_at = {now + ClaimFor}
            WHERE id = (SELECT id FROM payments WHERE status = 'RefundPending' AND updated_at <= {now} ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
        if (claimed.Count == 0)
        {
            return false;
        }
        var payment = await db.Payments.FirstAsync(p => p.Id == claimed[0], cancellationToken);
        try
        {
            await provider.RefundAsync(payment.Id, payment.ProviderReference!, cancellationToken);
        }
        catch
        {
            // Let another attempt (this replica's or another's) take it after the back-off, not after ClaimFor.
            await db.Payments.Where(p => p.Id == payment.Id && p.Status == PaymentState.RefundPending)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.UpdatedAt, now), CancellationToken.None);
            throw;
        }
        payment.Status = PaymentState.Refunded;
        payment.UpdatedAt = Clock.GetUtcNowForPostgres();
        db.AddEvent(new PaymentRefunded
        {
            PaymentId = payment.Id.ToString(),
            UserId = payment.UserId.ToString(),
            Reason = payment.Reason ?? "",
            OccurredAt = Timestamp.FromDateTimeOffset(payment.UpdatedAt),
        });
        await db.SaveChangesAsync(CancellationToken.None);
        PaymentsMetrics.Refunds.Inc();
        LogRefunded(logger, payment.Id);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refunded payment {PaymentId}")]
    private static partial void LogRefunded(ILogger logger, Guid paymentId);
}
