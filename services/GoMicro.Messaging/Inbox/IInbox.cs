namespace GoMicro.Messaging.Inbox;

/// <summary>Runs a handler at most once per message id and consumer.</summary>
public interface IInbox
{
    /// <summary>False when this message was already handled (a redelivery or a duplicate publish).</summary>
    Task<bool> HandleOnceAsync(EventContext context, string consumer, Func<CancellationToken, Task> handle, CancellationToken cancellationToken);
}
