namespace GoMicro.Messaging.Outbox;

/// <summary>
/// An event waiting to be published, written in the same transaction as the state change it
/// announces. Its id is the AMQP message id, which consumers de-duplicate on.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>Full protobuf name, e.g. gomicro.events.v1.PaymentSucceeded.</summary>
    public required string Type { get; set; }

    public required byte[] Payload { get; set; }

    public string? CorrelationId { get; set; }

    public string? TraceParent { get; set; }

    public string? TraceState { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }
}
