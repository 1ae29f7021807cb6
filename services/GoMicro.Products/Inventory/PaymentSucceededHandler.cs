using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Messaging.Consuming;
using GoMicro.Products.Infrastructure;

namespace GoMicro.Products.Inventory;

/// <summary>
/// A payment succeeded: its reservation is committed, once (inbox). Stock was taken when it
/// was reserved, so nothing is decremented twice; a hold that expired meanwhile is taken
/// again if the stock is there, or refunded (StockReservationFailed). Once the sale commits, its
/// lag behind the payment is observed (<see cref="InventoryMetrics.StockCommitLag"/>).
/// </summary>
public sealed class PaymentSucceededHandler(StockReservations reservations, ProductsDbContext db, TimeProvider clock) : IIntegrationEventHandler<PaymentSucceeded>
{
    public async Task HandleAsync(PaymentSucceeded message, EventContext context, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(message.PaymentId, out var paymentId))
        {
            throw new PermanentEventException($"payment id '{message.PaymentId}' is not a UUID");
        }
        var paid = new Dictionary<Guid, int>();
        foreach (var line in message.Lines)
        {
            if (!Guid.TryParse(line.ProductId, out var id) || line.Quantity <= 0)
            {
                throw new PermanentEventException($"payment {paymentId}: line '{line.ProductId}' × {line.Quantity} is not valid");
            }
            paid[id] = paid.GetValueOrDefault(id) + line.Quantity;
        }
        if (await reservations.CommitAsync(paymentId, paid, cancellationToken) && message.OccurredAt is { } occurredAt)
        {
            // The inbox commits after this returns: observe then, so a rolled-back attempt counts nothing.
            var paidAt = occurredAt.ToDateTimeOffset();
            db.AfterCommit(() => InventoryMetrics.StockCommitLag.Observe(Math.Max(0, (clock.GetUtcNow() - paidAt).TotalSeconds)));
        }
    }
}
