using GoMicro.Common.V1;
using GoMicro.Events.V1;
using Google.Protobuf.WellKnownTypes;
using ProductMessage = GoMicro.Products.V1.Product;

namespace GoMicro.Products.Catalog;

internal static class ProductMapping
{
    public static Money Price(this Product product) => new() { AmountCents = product.PriceCents, Currency = product.Currency };

    public static ProductMessage ToMessage(this Product product) => new()
    {
        Id = product.Id.ToString(),
        Name = product.Name,
        Description = product.Description,
        Category = product.Category,
        Price = product.Price(),
        Stock = product.Stock,
        Available = product.Available,
        Version = product.Version,
        CreatedAt = Timestamp.FromDateTimeOffset(product.CreatedAt),
        UpdatedAt = Timestamp.FromDateTimeOffset(product.UpdatedAt),
    };

    public static ProductCreated ToCreated(this Product product) => new()
    {
        ProductId = product.Id.ToString(),
        Name = product.Name,
        Price = product.Price(),
        Available = product.Available,
        OccurredAt = Timestamp.FromDateTimeOffset(product.UpdatedAt),
        Revision = product.Revision,
    };

    public static ProductUpdated ToUpdated(this Product product) => new()
    {
        ProductId = product.Id.ToString(),
        Name = product.Name,
        Price = product.Price(),
        Available = product.Available,
        OccurredAt = Timestamp.FromDateTimeOffset(product.UpdatedAt),
        Revision = product.Revision,
    };

    public static ProductDeleted ToDeleted(this Product product) => new()
    {
        ProductId = product.Id.ToString(),
        OccurredAt = Timestamp.FromDateTimeOffset(product.UpdatedAt),
        Revision = product.Revision,
    };

    public static StockChanged ToStockChanged(this Product product) => new()
    {
        ProductId = product.Id.ToString(),
        Stock = product.Stock,
        OccurredAt = Timestamp.FromDateTimeOffset(product.UpdatedAt),
        Revision = product.Revision,
    };
}
