using System.Diagnostics;
using GoMicro.ServiceDefaults.Data;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;

namespace GoMicro.Messaging.Outbox;

public static class OutboxExtensions
{
    /// <summary>
    /// Queues an event in the outbox of this DbContext: it is saved by the caller's next
    /// SaveChanges, in the caller's transaction, and published only if that commits.
    /// </summary>
    public static OutboxMessage AddEvent(this DbContext db, IMessage @event, string? correlationId = null, DateTimeOffset? occurredAt = null)
    {
        var activity = Activity.Current;
        var message = new OutboxMessage
        {
            Id = Guid.CreateVersion7(),
            Type = EventTypes.NameOf(@event),
            Payload = @event.ToByteArray(),
            CorrelationId = correlationId ?? EventContext.Current?.CorrelationId ?? activity?.TraceId.ToString(),
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
            OccurredAt = occurredAt ?? TimeProvider.System.GetUtcNowForPostgres(),
        };
        db.Set<OutboxMessage>().Add(message);
        return message;
    }
}
