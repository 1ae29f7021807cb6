namespace GoMicro.Messaging.Inbox;

/// <summary>A message a consumer has handled; its presence makes a redelivery a no-op.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    public required string Consumer { get; set; }

    public required string Type { get; set; }

    public DateTimeOffset HandledAt { get; set; }
}
