using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Messaging.Consuming;
using GoMicro.Messaging.Outbox;
using GoMicro.Products.Catalog;
using GoMicro.Products.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace GoMicro.Products.Inventory;

/// <summary>
/// Reserves the stock of a payment: every line or none. The rows are locked in id order (so
/// two payments cannot deadlock), checked, and decremented in the inbox's transaction, so a
/// redelivered PaymentSucceeded changes nothing and stock never goes below zero. When a line
/// is short nothing changes and StockReservationFailed tells payments to refund.
/// </summary>
public sealed class PaymentSucceededHandler(ProductsDbContext db, TimeProvider clock) : IIntegrationEventHandler<PaymentSucceeded>
{
    public async Task HandleAsync(PaymentSucceeded message, EventContext context, CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<Guid, int>();
        var malformed = new List<StockReservationFailed.Types.ShortLine>();
        foreach (var line in message.Lines)
        {
            if (Guid.TryParse(line.ProductId, out var id) && line.Quantity > 0)
            {
                wanted[id] = wanted.GetValueOrDefault(id) + line.Quantity;
            }
            else
            {
                malformed.Add(new() { ProductId = line.ProductId, Wanted = line.Quantity, Available = 0 });
            }
        }

        var ids = wanted.Keys.Order().ToArray();
        var products = await db.Products
            .FromSqlInterpolated($"SELECT *, xmin FROM products WHERE id = ANY({ids}) AND deleted_at IS NULL ORDER BY id FOR UPDATE")
            .IgnoreQueryFilters()
            .ToDictionaryAsync(p => p.Id, cancellationToken);

        var shortLines = malformed.Concat(wanted
            .Where(w => !products.TryGetValue(w.Key, out var p) || p.Stock < w.Value)
            .Select(w => new StockReservationFailed.Types.ShortLine
            {
                ProductId = w.Key.ToString(),
                Wanted = w.Value,
                Available = products.TryGetValue(w.Key, out var p) ? p.Stock : 0,
            })).ToList();

        var now = clock.GetUtcNowForPostgres();
        if (shortLines.Count > 0 || wanted.Count == 0)
        {
            db.AddEvent(new StockReservationFailed { PaymentId = message.PaymentId, ShortLines = { shortLines }, OccurredAt = Timestamp.FromDateTimeOffset(now) });
            InventoryMetrics.ReservationsFailed.Inc();
            return;
        }

        foreach (var (id, quantity) in wanted)
        {
            var product = products[id];
            product.Stock -= quantity;
            product.UpdatedAt = now;
            db.AddEvent(product.ToStockChanged());
            if (!product.Available)
            {
                db.AddEvent(product.ToUpdated());
            }
            InventoryMetrics.StockDecrements.Inc(quantity);
        }
    }
}
