using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;

namespace GoMicro.Messaging.Consuming;

/// <summary>The event types a service consumes and how to hand each to its handler.</summary>
public sealed class EventSubscriptions
{
    private readonly Dictionary<string, Func<IServiceProvider, ReadOnlyMemory<byte>, EventContext, CancellationToken, Task>> _handlers = [];

    public IEnumerable<string> EventTypes => _handlers.Keys;

    internal void Add<TEvent, THandler>()
        where TEvent : IMessage<TEvent>, new()
        where THandler : IIntegrationEventHandler<TEvent>
    {
        var parser = new MessageParser<TEvent>(() => new TEvent());
        _handlers[Messaging.EventTypes.NameOf<TEvent>()] = (services, body, context, cancellationToken) =>
            services.GetRequiredService<THandler>().HandleAsync(parser.ParseFrom(body.Span), context, cancellationToken);
    }

    internal bool TryGet(string type, out Func<IServiceProvider, ReadOnlyMemory<byte>, EventContext, CancellationToken, Task> handler) =>
        _handlers.TryGetValue(type, out handler!);
}
