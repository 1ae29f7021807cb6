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
public sealed partial class RefundWorker(IServiceScopeFactory scopes, IPaymentProvider provider, TimeProvider clock, ILogger<RefundWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ClaimFor = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>A refund was requested: look now rather than at the next interval.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already woken.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RefundOneAsync(stoppingToken))
                {
                    failures = 0;
                }
                await _wake.WaitAsync(Interval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                LogRefundFailed(logger, failures, ex.GetBaseException().Message);
                await Task.Delay(Backoff.Capped(failures, TimeSpan.FromSeconds(30)), clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Refunds one payment; false when none is waiting. Throws while the provider or the database is unavailable.</summary>
    internal async Task<bool> RefundOneAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var now = clock.GetUtcNowForPostgres();
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
        payment.UpdatedAt = clock.GetUtcNowForPostgres();
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

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refunded payment {PaymentId}")]
    private static partial void LogRefunded(ILogger logger, Guid paymentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refund failed ({Failures} in a row), retrying until the provider confirms: {Reason}")]
    private static partial void LogRefundFailed(ILogger logger, int failures, string reason);
}
