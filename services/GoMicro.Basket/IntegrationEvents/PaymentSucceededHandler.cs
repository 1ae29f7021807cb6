using GoMicro.Basket.Baskets;
using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Messaging.Consuming;

namespace GoMicro.Basket.IntegrationEvents;

/// <summary>Takes what was paid for out of the buyer's basket, once per message (the store's script records the message id).</summary>
public sealed class PaymentSucceededHandler(BasketStore store) : IIntegrationEventHandler<PaymentSucceeded>
{
    public async Task HandleAsync(PaymentSucceeded message, EventContext context, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(message.UserId, out var userId))
        {
            return; // nothing of ours to change; not worth a retry
        }
        var paid = message.Lines
            .Where(l => Guid.TryParse(l.ProductId, out _))
            .Select(l => new StoredLine(Guid.Parse(l.ProductId).ToString(), l.Quantity));
        if (await store.ApplyPaymentAsync(userId, context.MessageId, paid))
        {
            BasketMetrics.PaidLinesRemoved.Inc();
        }
    }
}
