namespace GoMicro.Products.Catalog;

/// <summary>Section "Products:Cache": the in-memory read model of the catalog (see <see cref="ProductCache"/>).</summary>
public sealed class ProductCacheOptions
{
    public const string Section = "Products:Cache";

    /// <summary>Off: every read goes to PostgreSQL (and no listener connection is held).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The backstop: nothing is served longer than this after the database read it came from,
    /// even if a change notification was lost. Normally a change arrives within milliseconds.
    /// </summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Budget for cached products, counted in their protobuf size (memory is about twice that).</summary>
    public long MaxProductBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Budget for cached list pages (each holds ids and a page token, not products).</summary>
    public long MaxPageBytes { get; set; } = 2L * 1024 * 1024;

    /// <summary>
    /// A listener that heard nothing for this long asks the server whether it is still there,
    /// so a silently dropped connection is found (and the cache stops serving) within about
    /// this plus <see cref="PingTimeout"/>.
    /// </summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The listener's own connection string, when ConnectionStrings:Postgres goes through a
    /// transaction-mode pooler (PgBouncer) where LISTEN does not work; by default that one.
    /// </summary>
    public string? ListenConnectionString { get; set; }
}
