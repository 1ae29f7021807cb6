using Google.Protobuf;

namespace GoMicro.Messaging.Consuming;

/// <summary>
/// Handles one event type. Resolved per message from a DI scope; runs inside the inbox's
/// transaction, so what it writes through the service's DbContext (state and outbox rows)
/// commits together with the record that the message was handled. Throw to have the
/// message retried later.
/// </summary>
public interface IIntegrationEventHandler<in TEvent> where TEvent : IMessage<TEvent>
{
    Task HandleAsync(TEvent message, EventContext context, CancellationToken cancellationToken);
}
