using Microsoft.EntityFrameworkCore;

namespace GoMicro.Messaging.Inbox;

/// <summary>
/// The inbox row, the handler's changes and any outbox rows commit in one transaction of the
/// service's own database. A concurrent duplicate waits on the row's primary key and then
/// finds it taken.
/// </summary>
internal sealed class EfInbox<TContext>(TContext db, TimeProvider clock) : IInbox where TContext : DbContext
{
    public async Task<bool> HandleOnceAsync(EventContext context, string consumer, Func<CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO inbox_messages (message_id, consumer, type, handled_at) VALUES ({context.MessageId}, {consumer}, {context.Type}, {now}) ON CONFLICT DO NOTHING",
            cancellationToken);
        if (inserted == 0)
        {
            return false;
        }
        await handle(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
