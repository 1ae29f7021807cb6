using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Messaging.Consuming;

namespace GoMicro.Products.Inventory;

/// <summary>A payment charged nothing: the stock held for it goes back, once.</summary>
public sealed class PaymentFailedHandler(StockReservations reservations) : IIntegrationEventHandler<PaymentFailed>
{
    public Task HandleAsync(PaymentFailed message, EventContext context, CancellationToken cancellationToken) =>
        Guid.TryParse(message.PaymentId, out var paymentId)
            ? reservations.ReleaseAsync(paymentId, "payment failed: " + message.Reason, cancellationToken)
            : throw new PermanentEventException($"payment id '{message.PaymentId}' is not a UUID");
}
