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
}
