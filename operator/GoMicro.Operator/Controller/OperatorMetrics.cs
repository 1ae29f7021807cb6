using Prometheus;

namespace GoMicro.Operator.Controller;

internal static class OperatorMetrics
{
    /// <summary>
    /// Creates the metrics now (the fields are otherwise created at the first use of any of
    /// them, which for a quiet operator may be after the first scrape).
    /// </summary>
    public static void Declare() => GC.KeepAlive(ShopReconcileErrors);

    public static readonly Counter Reconciliations = Metrics.CreateCounter(
        "gomicro_operator_reconciliations_total", "Reconciliations of GoMicroShop resources, by result.", "result");

    public static readonly Histogram ReconcileDuration = Metrics.CreateHistogram(
        "gomicro_operator_reconcile_duration_seconds", "Time one reconciliation of a shop took.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 12) });

    public static readonly Gauge QueueDepth = Metrics.CreateGauge(
        "gomicro_operator_workqueue_depth", "Shops waiting to be reconciled.");

    public static readonly Gauge Leader = Metrics.CreateGauge(
        "gomicro_operator_leader", "1 while this instance holds the leader lease.");

    public static readonly Gauge ShopsReady = Metrics.CreateGauge(
        "gomicro_operator_shop_ready", "1 when the shop's Ready condition is True.", "namespace", "shop");

    public static readonly Counter ShopReconcileErrors = Metrics.CreateCounter(
        "gomicro_operator_shop_reconcile_errors_total", "Failed reconciliations of one shop (each is retried with back-off); the GoMicroShopReconcileErrors alert.", "namespace", "shop");

    public static readonly Counter WatchEvents = Metrics.CreateCounter(
        "gomicro_operator_watch_events_total", "Watch events received, by kind and type.", "kind", "type");
}
