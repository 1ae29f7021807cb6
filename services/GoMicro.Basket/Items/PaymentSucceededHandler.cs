using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Messaging.Consuming;

namespace GoMicro.Basket.Items;

/// <summary>
/// Takes what was paid for out of the buyer's basket: the paid lines that have not changed
/// since checkout read the basket. However late the event comes, a line the customer put back
/// or changed after paying stays. Idempotent (the store's script removes nothing twice).
/// </summary>
public sealed class PaymentSucceededHandler(BasketStore store) : IIntegrationEventHandler<PaymentSucceeded>
{
    public async Task HandleAsync(PaymentSucceeded message, EventContext context, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(message.UserId, out var userId))
        {
            throw new PermanentEventException($"user id '{message.UserId}' is not a UUID");
        }
        var paid = message.Lines
            .Select(l => Guid.TryParse(l.ProductId, out var id) ? id.ToString() : null)
            .OfType<string>();
        if (await store.ApplyPaymentAsync(userId, message.BasketVersion, paid) > 0)
        {
            BasketMetrics.PaidLinesRemoved.Inc();
        }
    }
}
