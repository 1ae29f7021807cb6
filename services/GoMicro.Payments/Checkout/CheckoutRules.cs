using Grpc.Core;
using GoMicro.ServiceDefaults.Validation;

namespace GoMicro.Payments.Checkout;

/// <summary>
/// What payments accepts: every limit of its API in one place (the README lists them). Each
/// failure names its field. ListPayments' page size and token: <see cref="ServiceDefaults.Paging.Paging"/>.
/// </summary>
public static class CheckoutRules
{
    /// <summary>The Idempotency-Key header: a UUID per purchase attempt fits with room to spare (the column is 100 long).</summary>
    public const int MaxIdempotencyKeyLength = 100;

    /// <summary>A test card or a provider's payment-method token (the column is 100 long).</summary>
    public const int MaxPaymentMethodLength = 100;

    /// <summary>Lines in one payment: one basket's, and what products reserves at once.</summary>
    public const int MaxLines = 100;

    /// <summary>Of one product in a payment: basket's limit.</summary>
    public const int MaxQuantity = 99;

    /// <summary>The most one payment may charge (minor units): basket's limit, from <see cref="MoneyRules"/>.</summary>
    public const long MaxTotalCents = MoneyRules.MaxTotalCents;

    public static string IdempotencyKey(string? value)
    {
        var key = value?.Trim() ?? "";
        return key.Length is 0 or > MaxIdempotencyKeyLength
            ? throw RpcErrors.InvalidArgument("Idempotency-Key", $"header is required (1–{MaxIdempotencyKeyLength} characters, e.g. a UUID per purchase attempt)")
            : key;
    }

    public static string PaymentMethod(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw RpcErrors.InvalidArgument("payment_method", "is required");
        }
        return value.Length > MaxPaymentMethodLength
            ? throw RpcErrors.InvalidArgument("payment_method", $"must be at most {MaxPaymentMethodLength} characters")
            : value;
    }

    public static RpcException TotalTooLarge(string what) => RpcErrors.FailedPrecondition(
        $"basket: {what} comes to more than {MaxTotalCents} (minor units: 100,000,000.00 in a currency with cents), the most one payment may; remove or reduce lines");
}
