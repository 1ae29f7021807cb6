using Prometheus;

namespace GoMicro.Products.Catalog;

internal static class CacheMetrics
{
    private static readonly Counter Hits = Metrics.CreateCounter(
        "gomicro_products_cache_hits_total", "Catalog reads answered from memory, by kind (product, page).", "kind");

    private static readonly Counter Misses = Metrics.CreateCounter(
        "gomicro_products_cache_misses_total", "Catalog reads that went to PostgreSQL, by kind (product, page); includes every read while the cache is not serving.", "kind");

    public static readonly Gauge Bytes = Metrics.CreateGauge(
        "gomicro_products_cache_bytes", "Protobuf bytes held by the catalog cache, by kind (product, page), as of its last sweep.", "kind");

    public static readonly Gauge Serving = Metrics.CreateGauge(
        "gomicro_products_cache_serving", "1 while the change listener is connected and the cache serves reads, else 0.");

    public static readonly Counter ListenerFailures = Metrics.CreateCounter(
        "gomicro_products_cache_listener_failures_total", "Times the change listener lost its connection (the cache was cleared each time).");

    // Resolved once: the read path is hot.
    public static readonly Counter.Child ProductHits = Hits.WithLabels("product");
    public static readonly Counter.Child ProductMisses = Misses.WithLabels("product");
    public static readonly Counter.Child PageHits = Hits.WithLabels("page");
    public static readonly Counter.Child PageMisses = Misses.WithLabels("page");
}
