namespace GoMicro.Payments.Model;

public enum PaymentState
{
    Pending,
    Succeeded,
    Declined,
    Failed,
    Refunded,
}

public sealed class Payment
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The client's Idempotency-Key; unique per user.</summary>
    public required string IdempotencyKey { get; set; }

    /// <summary>SHA-256 of the request body, to tell a replay from a different request under the same key.</summary>
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
