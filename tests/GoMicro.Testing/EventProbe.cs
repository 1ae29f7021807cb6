using System.Collections.Concurrent;
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
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var seen = Seen<T>();
            if (condition(seen))
            {
                return seen;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {new T().Descriptor.Name} events; saw {seen.Count}.");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Publishes an event with the given message id (a repeated id is a redelivery to consumers).</summary>
    public async Task PublishAsync(IMessage @event, Guid? messageId = null)
    {
        var type = @event.Descriptor.FullName;
        var properties = new BasicProperties
        {
            MessageId = (messageId ?? Guid.NewGuid()).ToString(),
            Type = type,
            ContentType = "application/x-protobuf",
            DeliveryMode = DeliveryModes.Persistent,
        };
        await _channel.BasicPublishAsync(Exchange, type, mandatory: false, properties, @event.ToByteArray());
    }

    public async Task<uint> MessageCountAsync(string queue) => await _channel.MessageCountAsync(queue);

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
