using Prometheus;

namespace GoMicro.Basket.Items;

internal static class BasketMetrics
{
    public static readonly Counter ItemsSet = Metrics.CreateCounter(
        "gomicro_basket_items_set_total", "Lines added to a basket or whose quantity was set.");

    public static readonly Counter PaidLinesRemoved = Metrics.CreateCounter(
        "gomicro_basket_payments_applied_total", "Payments whose lines were taken out of a basket.");
}
