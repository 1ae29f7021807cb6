namespace GoMicro.Products.Catalog;

/// <summary>
/// The sample catalog's products (priced in EUR): what <see cref="SampleCatalog"/> seeds, and
/// what the benchmark's bare ceiling (tools/GoMicro.Ceiling, which compiles this file too)
/// answers with, so both serve products of one size and shape.
/// </summary>
internal static class SampleItems
{
    public static readonly (string Name, string Category, long PriceCents, int Stock, string Description)[] All =
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
}
