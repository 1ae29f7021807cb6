using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Messaging.Consuming;
using GoMicro.Messaging.Outbox;
using GoMicro.Payments.Checkout;
using GoMicro.Payments.Infrastructure;
using GoMicro.Payments.Providers;
using Google.Protobuf.WellKnownTypes;

namespace GoMicro.Payments.IntegrationEvents;

/// <summary>
/// The compensating step of the saga: stock could not be reserved, so the charge is
/// refunded and the payment marked Refunded, once (inbox; the provider's refund is
/// idempotent too, so a crash between refund and commit is harmless).
/// </summary>
public sealed class StockReservationFailedHandler(PaymentsDbContext db, IPaymentProvider provider, TimeProvider clock)
    : IIntegrationEventHandler<StockReservationFailed>
{
    public async Task HandleAsync(StockReservationFailed message, EventContext context, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(message.PaymentId, out var id)
            || await db.Payments.FirstOrDefaultAsync(p => p.Id == id, cancellationToken) is not { Status: PaymentState.Succeeded } payment)
        {
            return; // not ours, or nothing was charged
        }
        await provider.RefundAsync(payment.Id, payment.ProviderReference!, cancellationToken);
        payment.Status = PaymentState.Refunded;
        payment.Reason = "out_of_stock: " + string.Join(", ", message.ShortLines.Select(l => $"{l.ProductId} wanted {l.Wanted}, available {l.Available}"));
        payment.UpdatedAt = clock.GetUtcNowForPostgres();
        db.AddEvent(new PaymentRefunded
        {
            PaymentId = payment.Id.ToString(),
            UserId = payment.UserId.ToString(),
            Reason = payment.Reason,
            OccurredAt = Timestamp.FromDateTimeOffset(payment.UpdatedAt),
        });
        PaymentsMetrics.Refunds.Inc();
    }
}
