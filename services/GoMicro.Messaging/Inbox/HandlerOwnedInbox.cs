namespace GoMicro.Messaging.Inbox;

/// <summary>
/// For services without a database transaction to share: each handler is idempotent by
/// itself (basket's PaymentSucceeded script records the message id atomically with its
/// effect; dropping a cache entry twice is harmless).
/// </summary>
internal sealed class HandlerOwnedInbox : IInbox
{
    public async Task<bool> HandleOnceAsync(EventContext context, string consumer, Func<CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        await handle(cancellationToken);
        return true;
    }
}
