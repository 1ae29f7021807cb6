using GoMicro.Events.V1;
using GoMicro.ServiceDefaults;
using Google.Protobuf;

namespace GoMicro.Messaging.Connection;

/// <summary>
/// Which consumer receives which events: the whole topology in one place. Every service
/// declares all of it (queues, bindings, retry and dead-letter queues) before it publishes or
/// consumes, so an event published before its consumer first started waits in that consumer's
/// queue instead of being dropped or parked elsewhere.
/// </summary>
public sealed class EventRoutes
{
    private readonly Dictionary<string, string[]> _byConsumer;

    public EventRoutes(IReadOnlyDictionary<string, string[]> byConsumer) =>
        _byConsumer = byConsumer.ToDictionary(e => e.Key, e => e.Value);

    /// <summary>The shop's routes (DESIGN.md's event table).</summary>
    public static EventRoutes Shop { get; } = new(new Dictionary<string, string[]>
    {
        [ServiceNames.Products] = [Name<PaymentSucceeded>(), Name<PaymentFailed>()],
        [ServiceNames.Basket] = [Name<ProductUpdated>(), Name<ProductDeleted>(), Name<PaymentSucceeded>()],
        [ServiceNames.Payments] = [Name<StockReservationFailed>()],
    });

    public IReadOnlyDictionary<string, string[]> ByConsumer => _byConsumer;

    /// <summary>The event types routed to <paramref name="consumer"/>; empty when it consumes nothing.</summary>
    public IReadOnlyList<string> For(string consumer) => _byConsumer.GetValueOrDefault(consumer) ?? [];

    public static string Name<TEvent>() where TEvent : IMessage<TEvent>, new() => EventTypes.NameOf<TEvent>();
}
