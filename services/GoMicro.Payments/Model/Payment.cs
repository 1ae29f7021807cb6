namespace GoMicro.Payments.Model;

public enum PaymentState
{
    /// <summary>Being checked out, or charged with an unknown outcome: recovery asks the provider.</summary>
    Pending,

    /// <summary>Charged; PaymentSucceeded commits the stock reservation.</summary>
    Succeeded,

    /// <summary>Refused by the provider; nothing charged, the reservation released.</summary>
    Declined,

    /// <summary>Nothing charged (the provider could not take it); the reservation released.</summary>
    Failed,

    /// <summary>Charged, but the goods could not be delivered: the refund is retried until the provider confirms it.</summary>
    RefundPending,

    /// <summary>Charged and refunded.</summary>
    Refunded,
}

public sealed class Payment
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The client's Idempotency-Key; unique per user.</summary>
    public required string IdempotencyKey { get; set; }

    /// <summary>SHA-256 of the payment method (the request's only field), to tell a replay from a different request under the same key.</summary>
    public required string RequestHash { get; set; }

    public PaymentState Status { get; set; }

    public List<PaymentLine> Lines { get; set; } = [];

    public long AmountCents { get; set; }

    public required string Currency { get; set; }

    /// <summary>The test card or provider token the customer paid with (never a card number).</summary>
    public required string PaymentMethod { get; set; }

    /// <summary>The provider's id of the charge.</summary>
    public string? ProviderReference { get; set; }

    /// <summary>Why it was declined, failed or refunded.</summary>
    public string? Reason { get; set; }

    /// <summary>The basket's version that was priced: the paid lines basket removes are those unchanged since.</summary>
    public long BasketVersion { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }
}

public sealed class PaymentLine
{
    public required string ProductId { get; set; }

    public required string Name { get; set; }

    public int Quantity { get; set; }

    public long UnitPriceCents { get; set; }
}
