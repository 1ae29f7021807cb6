using GoMicro.Common.V1;
using Google.Protobuf.WellKnownTypes;
using GoMicro.Products.V1;

namespace GoMicro.Ceiling;

/// <summary>Products of the size and shape of the products service's sample catalog, made once.</summary>
internal static class CannedCatalog
{
    private static readonly (string Name, string Category, long PriceCents, int Stock, string Description)[] Items =
    [
        ("Espresso Beans 1 kg", "coffee", 2490, 120, "Dark roast, notes of cocoa and toasted hazelnut."),
        ("Filter Coffee 500 g", "coffee", 1290, 200, "Washed Ethiopian, bright and floral."),
        ("Pour-Over Dripper", "coffee", 2900, 45, "Ceramic cone dripper for size 02 filters."),
        ("Hand Grinder", "coffee", 8900, 25, "Stainless conical burrs, 40 grind settings."),
        ("Gooseneck Kettle 1 l", "coffee", 5400, 30, "Precise pour with a built-in thermometer."),
        ("Ceramic Mug 350 ml", "kitchen", 1500, 300, "Stoneware, dishwasher safe, matte glaze."),
        ("Cast-Iron Skillet 26 cm", "kitchen", 4500, 40, "Pre-seasoned, oven safe, lasts a lifetime."),
        ("Chef's Knife 20 cm", "kitchen", 7900, 35, "Forged steel, full tang, balanced grip."),
        ("Bamboo Cutting Board", "kitchen", 2200, 80, "Large board with a juice groove."),
        ("Linen Apron", "kitchen", 3200, 60, "Washed linen with two front pockets."),
        ("Trail Running Shoes", "outdoor", 12900, 50, "Grippy lugs and a rock plate for rough trails."),
        ("Merino Base Layer", "outdoor", 6900, 70, "Lightweight merino, odour resistant."),
        ("Insulated Bottle 750 ml", "outdoor", 2900, 150, "Keeps drinks cold for 24 hours."),
        ("Headlamp 400 lm", "outdoor", 3900, 90, "USB-C rechargeable, red night mode."),
        ("Packable Rain Jacket", "outdoor", 9900, 40, "Waterproof, breathable, fits its own pocket."),
        ("Mechanical Keyboard", "electronics", 11900, 30, "Hot-swappable switches, PBT keycaps."),
        ("Wireless Mouse", "electronics", 4900, 75, "Silent clicks, six-month battery."),
        ("USB-C Hub 7-in-1", "electronics", 3900, 100, "HDMI 4K, SD reader, 100 W pass-through."),
        ("Noise-Cancelling Headphones", "electronics", 24900, 20, "Thirty hours of battery, multipoint Bluetooth."),
        ("E-Reader 6\"", "electronics", 12900, 0, "Glare-free display; back in stock soon."),
    ];

    private static readonly Timestamp Created = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 6, 9, 30, 0, TimeSpan.Zero));

    public static IReadOnlyList<Product> Products { get; } = [.. Items.Select((item, i) => new Product
    {
        Id = $"0193abcd-0000-7000-8000-{i + 1:D12}",
        Name = item.Name,
        Description = item.Description,
        Category = item.Category,
        Price = new Money { AmountCents = item.PriceCents, Currency = "EUR" },
        Stock = item.Stock,
        Available = item.Stock > 0,
        Version = 1,
        CreatedAt = Created,
        UpdatedAt = Created,
    })];

    /// <summary>A product like the sample ones, under the id that was asked for.</summary>
    public static Product ById(string id)
    {
        var product = Products[(int)((uint)id.GetHashCode(StringComparison.Ordinal) % Products.Count)].Clone();
        product.Id = id;
        return product;
    }
}
