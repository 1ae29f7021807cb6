using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Messaging.Consuming;
using GoMicro.Payments.Infrastructure;

namespace GoMicro.Payments.Refunds;

/// <summary>
/// The goods of a charged payment could not be delivered (its hold expired while the charge
/// was pending and the stock is gone): the payment becomes RefundPending, once (inbox). The
/// refund itself is made by <see cref="RefundWorker"/>, retried until the provider confirms,
/// so a provider outage of any length delays it and never loses it.
/// </summary>
public sealed class StockReservationFailedHandler(PaymentsDbContext db, RefundWorker refunds, TimeProvider clock)
    : IIntegrationEventHandler<StockReservationFailed>
{
    public async Task HandleAsync(StockReservationFailed message, EventContext context, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(message.PaymentId, out var id))
        {
            throw new PermanentEventException($"payment id '{message.PaymentId}' is not a UUID");
        }
        if (await db.Payments.FirstOrDefaultAsync(p => p.Id == id, cancellationToken) is not { Status: PaymentState.Succeeded } payment)
        {
            return; // not ours, or nothing was charged, or already being refunded
        }
        payment.Status = PaymentState.RefundPending;
        payment.Reason = "out_of_stock: " + string.Join(", ", message.ShortLines.Select(l => $"{l.ProductId} wanted {l.Wanted}, available {l.Available}"));
        if (payment.Reason.Length > 500)
        {
            payment.Reason = payment.Reason[..500];
        }
        payment.UpdatedAt = clock.GetUtcNowForPostgres();
        refunds.Wake(); // after this transaction commits, the worker finds it at once
    }
}
