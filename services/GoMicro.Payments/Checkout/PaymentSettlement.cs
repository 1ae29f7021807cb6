using GoMicro.Messaging.Outbox;
using GoMicro.Payments.Infrastructure;
using GoMicro.Payments.Providers;
using GoMicro.Payments.Refunds;

namespace GoMicro.Payments.Checkout;

/// <summary>
/// Records what became of a charge, with the event that carries it on, in one transaction:
/// Succeeded with PaymentSucceeded (products commits the stock, basket clears the paid lines);
/// Declined or Failed with PaymentFailed (products releases the stock). An Unknown outcome
/// changes nothing: the payment stays Pending until recovery asks the provider.
/// </summary>
public sealed class PaymentSettlement(PaymentsDbContext db, RefundWorker refunds, TimeProvider clock)
{
    /// <summary>Applies <paramref name="result"/> and saves; returns the payment as recorded (another writer's outcome if it settled it first).</summary>
    public async Task<Payment> RecordAsync(Payment payment, ChargeResult result)
    {
        if (result.Outcome == ChargeOutcome.Unknown)
        {
            PaymentsMetrics.Payments.WithLabels("unknown").Inc();
            return payment;
        }
        payment.UpdatedAt = clock.GetUtcNowForPostgres();
        switch (result.Outcome)
        {
            case ChargeOutcome.Charged:
                payment.Status = PaymentState.Succeeded;
                payment.ProviderReference = result.Reference;
                payment.Reason = null;
                db.AddEvent(payment.ToSucceededEvent());
                break;
            case ChargeOutcome.Declined:
                payment.Status = PaymentState.Declined;
                payment.Reason = result.Reason;
                db.AddEvent(payment.ToFailedEvent());
                break;
            default:
                payment.Status = PaymentState.Failed;
                payment.Reason = result.Reason is { Length: > 500 } text ? text[..500] : result.Reason;
                db.AddEvent(payment.ToFailedEvent());
                break;
        }
        try
        {
            // Not the request's token: what the provider did must be recorded even if the caller has gone.
            await db.SaveChangesAsync(CancellationToken.None);
            PaymentsMetrics.Payments.WithLabels(payment.Status.ToString().ToLowerInvariant()).Inc();
            return payment;
        }
        catch (DbUpdateConcurrencyException)
        {
            // Recovery settled it meanwhile, from the same provider (idempotent per payment):
            // theirs stands, unless it found no charge and this one then charged (the charge
            // outlived StaleAfter: a pause, a clock jump). That money goes back.
            db.ChangeTracker.Clear();
            var recorded = await db.Payments.FirstAsync(p => p.Id == payment.Id, CancellationToken.None);
            if (result.Outcome == ChargeOutcome.Charged && recorded.Status is PaymentState.Failed or PaymentState.Declined)
            {
                recorded.Status = PaymentState.RefundPending;
                recorded.ProviderReference = result.Reference;
                recorded.Reason = "charged after it was settled as not charged; refunded";
                recorded.UpdatedAt = clock.GetUtcNowForPostgres();
                await db.SaveChangesAsync(CancellationToken.None);
                refunds.Wake();
            }
            return recorded;
        }
    }
}
