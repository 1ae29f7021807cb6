using GoMicro.Common.V1;
using Google.Protobuf.WellKnownTypes;
using GoMicro.Products.Catalog;
using GoMicro.Products.V1;

namespace GoMicro.Ceiling;

/// <summary>Products of the size and shape of the products service's sample catalog, made once.</summary>
internal static class CannedCatalog
{
    private static readonly Timestamp Created = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 6, 9, 30, 0, TimeSpan.Zero));

    public static IReadOnlyList<Product> Products { get; } = [.. SampleItems.All.Select((item, i) => new Product
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
