using GoMicro.Messaging.Outbox;
using GoMicro.Products.Catalog;
using GoMicro.Products.Infrastructure;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.Extensions.Options;

namespace GoMicro.Products.Inventory;

/// <summary>
/// Writes the stock events that reservations owe (<see cref="StockReservation.StockEventsPending"/>)
/// to the outbox: woken by each reservation, and every sweep interval for those a stopped
/// replica left. A batch claims up to <see cref="BatchSize"/> reservations (SKIP LOCKED, so
/// replicas share them) and writes, for each product they took, one StockChanged, and a
/// ProductUpdated when it ran out, from the product as it is now. The events carry state, not
/// deltas, so a busy product's reservations of one batch make one event (its latest revision;
/// a consumer keeps the highest). The claim and the events commit together: written once.
/// </summary>
public sealed partial class StockAnnouncer(
    IServiceScopeFactory scopes, IOptions<ReservationOptions> options, TimeProvider clock, ILogger<StockAnnouncer> logger) : PollingWorker(clock, logger)
{
    public const int BatchSize = 200;

    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override Task<bool> RunOnceAsync(CancellationToken cancellationToken) => AnnounceBatchAsync(cancellationToken);

    /// <summary>Writes one batch; false when no reservation owed anything.</summary>
    internal async Task<bool> AnnounceBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var products = await db.Products
            .FromSqlInterpolated($"""
                WITH claimed AS (
                    UPDATE stock_reservations SET stock_events_pending = FALSE
                    WHERE payment_id IN (
                        SELECT payment_id FROM stock_reservations WHERE stock_events_pending
                        ORDER BY created_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED)
                    RETURNING payment_id)
                SELECT p.*, p.xmin FROM products p
                WHERE p.id IN (SELECT l.product_id FROM stock_reservation_lines l JOIN claimed c ON c.payment_id = l.payment_id)
                """)
            .IgnoreQueryFilters()
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        if (products.Count == 0)
        {
            return false;
        }
        foreach (var product in products)
        {
            db.AddEvent(product.ToStockChanged());
            if (!product.Available && product.DeletedAt is null)
            {
                db.AddEvent(product.ToUpdated());
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogAnnounced(logger, products.Count);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stock events written for {Products} products")]
    private static partial void LogAnnounced(ILogger logger, int products);
}
