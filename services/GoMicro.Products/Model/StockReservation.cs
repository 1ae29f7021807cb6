namespace GoMicro.Products.Model;

public enum ReservationState
{
    /// <summary>The stock is taken out of the product and held for a payment being charged.</summary>
    Held,

    /// <summary>The payment succeeded: the goods are sold. Final.</summary>
    Committed,

    /// <summary>The payment failed or the hold expired: the stock went back. Final, except that a late success takes the stock again if it is there.</summary>
    Released,

    /// <summary>The payment succeeded after its hold expired, and the stock was gone: payments refunds it. Final.</summary>
    Unfilled,
}

/// <summary>Stock held for one payment, keyed by the payment's id (so every step is idempotent).</summary>
public sealed class StockReservation
{
    public Guid PaymentId { get; set; }

    /// <summary>
    /// The caller (token subject) that reserved: only it may release the hold or reserve under
    /// the same payment id. Null for a reservation made when a success was committed.
    /// </summary>
    public Guid? HeldBy { get; set; }

    public ReservationState State { get; set; }

    public List<ReservedLine> Lines { get; set; } = [];

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Why it was released (expired, declined, …).</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// The reservation took stock whose StockChanged (and ProductUpdated) events are not yet in
    /// the outbox: set by the statement that takes the stock, cleared in the transaction that
    /// writes them (<see cref="Inventory.StockAnnouncer"/>).
    /// </summary>
    public bool StockEventsPending { get; set; }

    /// <summary>The W3C traceparent of the request that made the reservation: its stock events, written later, continue that trace.</summary>
    public string? TraceParent { get; set; }
}

public sealed class ReservedLine
{
    public Guid ProductId { get; set; }

    public int Quantity { get; set; }
}
