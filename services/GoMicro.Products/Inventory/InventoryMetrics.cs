using Prometheus;

namespace GoMicro.Products.Inventory;

internal static class InventoryMetrics
{
    public static readonly Counter StockDecrements = Metrics.CreateCounter(
        "gomicro_products_stock_decrements_total", "Units of stock reserved for successful payments.");

    public static readonly Counter ReservationsFailed = Metrics.CreateCounter(
        "gomicro_products_stock_reservations_failed_total", "Payments whose stock could not be reserved (refund requested).");
}
