using Grpc.Core;
using GoMicro.ServiceDefaults.Validation;

namespace GoMicro.Basket.Items;

/// <summary>
/// What basket accepts: every limit of its API in one place (the README lists them). Each
/// failure names its field.
/// </summary>
public static class BasketRules
{
    /// <summary>Of one product in a basket.</summary>
    public const int MaxQuantity = 99;

    /// <summary>Different products in one basket: one GetProducts batch, one stock reservation.</summary>
    public const int MaxLines = 100;

    /// <summary>
    /// The most a basket may come to (minor units), the same as one payment: adding past it is
    /// refused, and checkout refuses it again with the prices it charges.
    /// </summary>
    public const long MaxTotalCents = MoneyRules.MaxTotalCents;

    public static string ProductId(string? value) =>
        Guid.TryParse(value, out var id) ? id.ToString() : throw RpcErrors.InvalidArgument("product_id", "must be a UUID");

    public static int Quantity(int value) =>
        value is < 1 or > MaxQuantity ? throw RpcErrors.InvalidArgument("quantity", $"must be between 1 and {MaxQuantity}") : value;

    public static RpcException TotalTooLarge() => RpcErrors.FailedPrecondition(
        $"quantity: the basket would come to more than {MaxTotalCents} (minor units: 100,000,000.00 in a currency with cents), the most one basket may; remove or reduce a line");
}
