using GoMicro.ServiceDefaults.Paging;
using GoMicro.ServiceDefaults.Validation;

namespace GoMicro.Products.Catalog;

/// <summary>
/// What products accepts: every limit of its API in one place (the README lists them). Each
/// failure names its field. Page sizes and tokens: <see cref="Paging"/>.
/// </summary>
internal static class ProductRules
{
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 2000;
    public const int MaxCategoryLength = 100;
    public const int MaxStock = 1_000_000;

    /// <summary>
    /// The anonymous search text. Anyone can send it, and each trigram of it is a lookup in the
    /// search indexes: a bound keeps one request's cost bounded too.
    /// </summary>
    public const int MaxQueryLength = 100;

    /// <summary>Unit price, checked by <see cref="MoneyRules.Positive"/>: shared with basket and payments, whose totals rely on it.</summary>
    public const long MaxPriceCents = MoneyRules.MaxPriceCents;

    /// <summary>Ids per GetProducts call (basket and payments ask for one basket's products: at most 100 lines).</summary>
    public const int MaxBatch = 100;

    /// <summary>Lines per stock reservation (one basket); each 1 to <see cref="MaxStock"/>, held for 1 s to <see cref="Inventory.StockReservations.MaxTtl"/>.</summary>
    public const int MaxReservationLines = 100;

    public static string Name(string? value)
    {
        var name = value?.Trim() ?? "";
        return name.Length switch
        {
            0 => throw RpcErrors.InvalidArgument("name", "is required"),
            > MaxNameLength => throw RpcErrors.InvalidArgument("name", $"must be at most {MaxNameLength} characters"),
            _ => TextRules.Clean(name, "name"),
        };
    }

    public static string Description(string? value) =>
        (value ?? "").Length > MaxDescriptionLength
            ? throw RpcErrors.InvalidArgument("description", $"must be at most {MaxDescriptionLength} characters")
            : TextRules.Clean(value ?? "", "description", multiline: true);

    public static string Category(string? value)
    {
        var category = value?.Trim() ?? "";
        return category.Length > MaxCategoryLength
            ? throw RpcErrors.InvalidArgument("category", $"must be at most {MaxCategoryLength} characters")
            : TextRules.Clean(category, "category");
    }

    /// <summary>The search text, trimmed; empty means no search.</summary>
    public static string Query(string? value)
    {
        var query = value?.Trim() ?? "";
        return query.Length > MaxQueryLength
            ? throw RpcErrors.InvalidArgument("query", $"must be at most {MaxQueryLength} characters")
            : TextRules.Clean(query, "query");
    }

    /// <summary>The category filter: whatever a category may be (the same rule, so one place).</summary>
    public static string CategoryFilter(string? value) => Category(value);

    public static int Stock(int value) => value switch
    {
        < 0 => throw RpcErrors.InvalidArgument("stock", "must not be negative"),
        > MaxStock => throw RpcErrors.InvalidArgument("stock", $"must be at most {MaxStock}"),
        _ => value,
    };

    public static Guid Id(string? value, string field = "id") =>
        Guid.TryParse(value, out var id) ? id : throw RpcErrors.InvalidArgument(field, "must be a UUID");
}
