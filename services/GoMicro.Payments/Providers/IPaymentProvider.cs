namespace GoMicro.Payments.Providers;

public sealed record ChargeRequest(Guid PaymentId, long AmountCents, string Currency, string PaymentMethod);

public enum ChargeOutcome
{
    /// <summary>Money was taken; <see cref="ChargeResult.Reference"/> is the provider's id of the charge.</summary>
    Charged,

    /// <summary>The provider refused the payment method; nothing was taken.</summary>
    Declined,

    /// <summary>The provider never took the request (unreachable on every attempt); nothing was taken.</summary>
    NotCharged,

    /// <summary>An attempt timed out: the provider may have charged. Only asking it later tells.</summary>
    Unknown,
}

/// <summary>What the provider answered, or what can be concluded when it did not.</summary>
public sealed record ChargeResult(ChargeOutcome Outcome, string? Reference, string? Reason)
{
    public static ChargeResult Charged(string reference) => new(ChargeOutcome.Charged, reference, null);

    public static ChargeResult Declined(string reason) => new(ChargeOutcome.Declined, null, reason);

    public static ChargeResult NotCharged(string reason) => new(ChargeOutcome.NotCharged, null, reason);

    public static ChargeResult Unknown(string reason) => new(ChargeOutcome.Unknown, null, reason);
}

/// <summary>
/// The payment-provider port. Every operation is idempotent per payment id, so a retry after
/// a timeout never charges or refunds twice, and the provider can be asked what became of a
/// payment whose answer was lost. A real provider (Stripe, Adyen, …) plugs in behind this
/// interface, with the payment id as its idempotency key.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>Null when the payment method is acceptable, else why not (shown to the caller).</summary>
    string? ValidatePaymentMethod(string paymentMethod);

    /// <summary>Charged or Declined; throws <see cref="PaymentProviderUnavailableException"/> when the provider did not take the request.</summary>
    Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken);

    /// <summary>Charged (with its reference) or NotCharged: what the provider knows of this payment now.</summary>
    Task<ChargeResult> FindChargeAsync(Guid paymentId, CancellationToken cancellationToken);

    Task RefundAsync(Guid paymentId, string reference, CancellationToken cancellationToken);
}

/// <summary>The provider could not be reached or refused to take the request for now: nothing was done, try again later.</summary>
public sealed class PaymentProviderUnavailableException(string message) : Exception(message);
