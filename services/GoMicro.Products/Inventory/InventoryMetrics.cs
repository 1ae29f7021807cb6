using Prometheus;

namespace GoMicro.Products.Inventory;

internal static class InventoryMetrics
{
    public static readonly Counter Reserved = Metrics.CreateCounter(
        "gomicro_products_stock_reserved_total", "Units of stock held for payments before they are charged.");

    public static readonly Counter Sold = Metrics.CreateCounter(
        "gomicro_products_stock_decrements_total", "Units of stock sold: reservations committed by a successful payment.");

    public static readonly Counter Released = Metrics.CreateCounter(
        "gomicro_products_stock_released_total", "Units of held stock returned, by reason (payment_failed, expired).", "reason");

    public static readonly Counter ReservationsFailed = Metrics.CreateCounter(
        "gomicro_products_stock_reservations_failed_total", "Successful payments whose stock was gone after their hold expired (refund requested).");

    /// <summary>
    /// From a payment's success (its PaymentSucceeded's occurred_at, payments' clock) to the
    /// commit of its stock here: the outbox, the broker and this consumer together.
    /// </summary>
    public static readonly Histogram StockCommitLag = Metrics.CreateHistogram(
        "gomicro_stock_commit_lag_seconds", "Seconds from a payment's success to the commit of its stock reservation in products.",
        new HistogramConfiguration { Buckets = Histogram.PowersOfTenDividedBuckets(-3, 1, 4) });
}
