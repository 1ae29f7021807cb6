namespace GoMicro.Basket;

/// <summary>Section "Basket".</summary>
public sealed class BasketOptions
{
    public const string Section = "Basket";

    /// <summary>A basket nobody writes to for this long disappears. Every write restarts the clock.</summary>
    public TimeSpan IdleExpiry { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long product names, prices and stock are cached for display.</summary>
    public TimeSpan ProductCacheTtl { get; set; } = TimeSpan.FromSeconds(60);
}
