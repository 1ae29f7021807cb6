using System.Collections.Concurrent;
using GoMicro.Messaging;
using GoMicro.Messaging.Connection;
using Google.Protobuf;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace GoMicro.Testing;

/// <summary>
/// Watches a vhost's event exchange from a queue of its own (every routing key), and
/// publishes events into it as a service's outbox would.
/// </summary>
public sealed class EventProbe : IAsyncDisposable
{
    public static readonly string Exchange = new Messaging.RabbitMqOptions().Exchange;

    private readonly ConcurrentQueue<(string Type, string MessageId, byte[] Body, string? TraceParent)> _seen = new();
    private IConnection _connection = null!;
    private IChannel _channel = null!;

    private EventProbe()
    {
    }

    public static async Task<EventProbe> StartAsync(string amqpUri)
    {
        var probe = new EventProbe();
        probe._connection = await new ConnectionFactory { Uri = new Uri(amqpUri) }.CreateConnectionAsync();
        probe._channel = await probe._connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        await Topology.DeclareExchangeAsync(probe._channel, Exchange, CancellationToken.None);
        var queue = await probe._channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await probe._channel.QueueBindAsync(queue.QueueName, Exchange, "#");
        var consumer = new AsyncEventingBasicConsumer(probe._channel);
        consumer.ReceivedAsync += (_, e) =>
        {
            var traceParent = e.BasicProperties.Headers?.TryGetValue("traceparent", out var value) == true && value is byte[] bytes
                ? System.Text.Encoding.UTF8.GetString(bytes)
                : null;
            probe._seen.Enqueue((e.BasicProperties.Type ?? "", e.BasicProperties.MessageId ?? "", e.Body.ToArray(), traceParent));
            return Task.CompletedTask;
        };
        await probe._channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
        return probe;
    }

    public IReadOnlyList<(string MessageId, T Event)> Seen<T>() where T : IMessage<T>, new()
    {
        var type = new T().Descriptor.FullName;
        var parser = new MessageParser<T>(() => new T());
        return _seen.Where(m => m.Type == type).Select(m => (m.MessageId, parser.ParseFrom(m.Body))).ToList();
    }

    /// <summary>The W3C traceparent header of each event of type T seen so far, with the event.</summary>
    public IReadOnlyList<(string? TraceParent, T Event)> SeenWithTrace<T>() where T : IMessage<T>, new()
    {
        var type = new T().Descriptor.FullName;
        var parser = new MessageParser<T>(() => new T());
        return _seen.Where(m => m.Type == type).Select(m => (m.TraceParent, parser.ParseFrom(m.Body))).ToList();
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the events of type T seen so far.</summary>
    public async Task<IReadOnlyList<(string MessageId, T Event)>> WaitForAsync<T>(Func<IReadOnlyList<(string MessageId, T Event)>, bool> condition, TimeSpan? timeout = null)
        where T : IMessage<T>, new()
    {
        IReadOnlyList<(string MessageId, T Event)> seen = [];
        await Eventually.UntilAsync(() => Task.FromResult(condition(seen = Seen<T>())),
            (int)Math.Ceiling((timeout ?? TimeSpan.FromSeconds(20)).TotalSeconds), $"the {new T().Descriptor.Name} events waited for");
        return seen;
    }

    /// <summary>
    /// Waits until every event the broker had accepted before this call has reached the probe,
    /// so that what the probe has not seen was not published (up to now). It publishes a marker
    /// and waits for it: the probe's queue hands its one consumer the messages in the order they
    /// were routed to it, so everything routed before the marker arrives before it.
    /// </summary>
    public async Task CatchUpAsync()
    {
        var marker = Guid.NewGuid().ToString();
        var properties = new BasicProperties { MessageId = marker, Type = CatchUpType };
        await _channel.BasicPublishAsync(Exchange, CatchUpType, mandatory: false, properties, ReadOnlyMemory<byte>.Empty);
        await Eventually.UntilAsync(() => Task.FromResult(_seen.Any(m => m.MessageId == marker)), what: "the probe caught up with the exchange");
    }

    private const string CatchUpType = "gomicro.tests.CatchUp";

    /// <summary>
    /// Publishes an event with the given message id (a repeated id is a redelivery to consumers)
    /// and trace (<see cref="ConsumedMessages.NewTraceParent"/>, to know when it was processed), to
    /// every consumer it is routed to, or to <paramref name="queue"/> alone (a redelivery to one consumer).
    /// </summary>
    public async Task PublishAsync(IMessage @event, Guid? messageId = null, string? traceParent = null, string? queue = null)
    {
        var type = @event.Descriptor.FullName;
        var properties = new BasicProperties
        {
            MessageId = (messageId ?? Guid.NewGuid()).ToString(),
            Type = type,
            ContentType = "application/x-protobuf",
            DeliveryMode = DeliveryModes.Persistent,
        };
        if (traceParent is not null)
        {
            properties.Headers = new Dictionary<string, object?> { [MessageHeaders.TraceParent] = System.Text.Encoding.UTF8.GetBytes(traceParent) };
        }
        await _channel.BasicPublishAsync(queue is null ? Exchange : "", queue ?? type, mandatory: false, properties, @event.ToByteArray());
    }

    public async Task<uint> MessageCountAsync(string queue) => await _channel.MessageCountAsync(queue);

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
