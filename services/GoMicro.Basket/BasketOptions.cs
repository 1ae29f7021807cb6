namespace GoMicro.Basket;

/// <summary>Section "Basket".</summary>
public sealed class BasketOptions
{
    public const string Section = "Basket";

    /// <summary>A basket nobody writes to for this long disappears. Every write restarts the clock.</summary>
    public TimeSpan IdleExpiry { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long product names, prices and stock are cached for display.</summary>
    public TimeSpan ProductCacheTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long each replica keeps the product facts it read for display in its own memory, in
    /// front of Redis: the longest another replica may show a product after the change event
    /// that dropped it from Redis. Zero reads Redis every time.
    /// </summary>
    public TimeSpan ProductMemoryTtl { get; set; } = TimeSpan.FromSeconds(2);
}
