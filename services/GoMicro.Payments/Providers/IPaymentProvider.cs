namespace GoMicro.Payments.Providers;

public sealed record ChargeRequest(Guid PaymentId, long AmountCents, string Currency, string PaymentMethod);

/// <summary>What the provider answered: charged (with its reference) or declined (with why).</summary>
public sealed record ChargeResult(bool Succeeded, string? Reference, string? DeclineReason)
{
    public static ChargeResult Charged(string reference) => new(true, reference, null);

    public static ChargeResult Declined(string reason) => new(false, null, reason);
}

/// <summary>
/// The payment-provider port. Both operations are idempotent per payment id, so a retry
/// after a timeout never charges or refunds twice. A real provider (Stripe, Adyen, …) plugs
/// in behind this interface.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>Null when the payment method is acceptable, else why not (shown to the caller).</summary>
    string? ValidatePaymentMethod(string paymentMethod);

    /// <summary>Throws <see cref="PaymentProviderUnavailableException"/> for a transient failure worth retrying.</summary>
    Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken);

    Task RefundAsync(Guid paymentId, string reference, CancellationToken cancellationToken);
}

public sealed class PaymentProviderUnavailableException(string message) : Exception(message);
