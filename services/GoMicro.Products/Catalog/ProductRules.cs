namespace GoMicro.Products.Catalog;

/// <summary>What a valid product is. Each failure names its field.</summary>
internal static class ProductRules
{
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 2000;
    public const int MaxCategoryLength = 100;
    public const int MaxStock = 1_000_000;

    public static string Name(string? value)
    {
        var name = value?.Trim() ?? "";
        return name.Length switch
        {
            0 => throw RpcErrors.InvalidArgument("name", "is required"),
            > MaxNameLength => throw RpcErrors.InvalidArgument("name", $"must be at most {MaxNameLength} characters"),
            _ => name,
        };
    }

    public static string Description(string? value) =>
        (value ?? "").Length > MaxDescriptionLength
            ? throw RpcErrors.InvalidArgument("description", $"must be at most {MaxDescriptionLength} characters")
            : value ?? "";

    public static string Category(string? value)
    {
        var category = value?.Trim() ?? "";
        return category.Length > MaxCategoryLength
            ? throw RpcErrors.InvalidArgument("category", $"must be at most {MaxCategoryLength} characters")
            : category;
    }

    public static int Stock(int value) => value switch
    {
        < 0 => throw RpcErrors.InvalidArgument("stock", "must not be negative"),
        > MaxStock => throw RpcErrors.InvalidArgument("stock", $"must be at most {MaxStock}"),
        _ => value,
    };

    public static Guid Id(string? value, string field = "id") =>
        Guid.TryParse(value, out var id) ? id : throw RpcErrors.InvalidArgument(field, "must be a UUID");
}
