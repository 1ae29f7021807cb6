using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace GoMicro.Messaging.Connection;

/// <summary>
/// Exchange and queue names, and their declaration (idempotent, by every service at start-up
/// and whenever it opens a channel). For a consumer "products": queue "products.events" bound
/// to each event type its route lists; "products.retry.N" queues that hold a failed message
/// for the N-th delay, then dead-letter it back to "products.events"; and
/// "products.dead-letter" for what can never succeed, or came back unacknowledged more than
/// <see cref="RabbitMqOptions.DeliveryLimit"/> times (a message that crashes its consumer).
/// </summary>
public static partial class Topology
{
    public static string Queue(string consumer) => $"{consumer}.events";

    public static string RetryQueue(string consumer, int attempt) => $"{consumer}.retry.{attempt}";

    public static string DeadLetterQueue(string consumer) => $"{consumer}.dead-letter";

    /// <summary>Where events that no consumer is routed end up (for inspection), bounded so it cannot grow without limit.</summary>
    public static string UnroutedQueue(string exchange) => $"{exchange}.unrouted";

    /// <summary>The newest events kept in the unrouted queue; older ones are dropped first.</summary>
    public const int UnroutedMaxLength = 10_000;

    /// <summary>The event exchange, with an alternate exchange for events no queue is bound for.</summary>
    public static async Task DeclareExchangeAsync(IChannel channel, string exchange, CancellationToken cancellationToken)
    {
        await using var declarer = new Declarer(channel, null, null);
        await DeclareExchangeAsync(declarer, exchange, cancellationToken);
    }

    /// <summary>
    /// The exchange and every consumer's queue, bindings and dead-letter queue: what must exist
    /// before anything is published. Retry queues are declared by their consumer only (their
    /// delays are that consumer's settings). Uses channels of its own on <paramref name="connection"/>.
    /// </summary>
    public static async Task DeclareAllAsync(IConnection connection, RabbitMqOptions options, EventRoutes routes, ILogger? logger, CancellationToken cancellationToken)
    {
        await using var declarer = new Declarer(await connection.CreateChannelAsync(cancellationToken: cancellationToken), connection, logger);
        await DeclareAllAsync(declarer, options, routes, cancellationToken);
    }

    /// <summary>The whole topology, and the retry queues of <paramref name="consumer"/>.</summary>
    public static async Task DeclareConsumerAsync(IConnection connection, RabbitMqOptions options, EventRoutes routes, string consumer, ILogger? logger, CancellationToken cancellationToken)
    {
        await using var declarer = new Declarer(await connection.CreateChannelAsync(cancellationToken: cancellationToken), connection, logger);
        await DeclareAllAsync(declarer, options, routes, cancellationToken);
        var delays = options.EffectiveRetryDelays;
        for (var attempt = 1; attempt <= delays.Count; attempt++)
        {
            await declarer.QueueAsync(RetryQueue(consumer, attempt), new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-message-ttl"] = (long)delays[attempt - 1].TotalMilliseconds,
                ["x-dead-letter-exchange"] = "",
                ["x-dead-letter-routing-key"] = Queue(consumer),
                // Quorum queues can dead-letter at-least-once: a message leaves the retry
                // queue only once the main queue has it.
                ["x-dead-letter-strategy"] = "at-least-once",
                ["x-overflow"] = "reject-publish",
            }, cancellationToken);
        }
    }

    private static async Task DeclareExchangeAsync(Declarer declarer, string exchange, CancellationToken cancellationToken)
    {
        var unrouted = UnroutedQueue(exchange);
        await declarer.Channel.ExchangeDeclareAsync(unrouted, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await declarer.QueueAsync(unrouted, new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum",
            ["x-max-length"] = UnroutedMaxLength,
            ["x-overflow"] = "drop-head",
        }, cancellationToken);
        await declarer.Channel.QueueBindAsync(unrouted, unrouted, "", cancellationToken: cancellationToken);
        await declarer.Channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["alternate-exchange"] = unrouted }, cancellationToken: cancellationToken);
    }

    private static async Task DeclareAllAsync(Declarer declarer, RabbitMqOptions options, EventRoutes routes, CancellationToken cancellationToken)
    {
        await DeclareExchangeAsync(declarer, options.Exchange, cancellationToken);
        foreach (var (consumer, eventTypes) in routes.ByConsumer)
        {
            await declarer.QueueAsync(DeadLetterQueue(consumer), new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken);
            await declarer.QueueAsync(Queue(consumer), new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                // A message returned unacknowledged this many times (its consumer crashed or
                // was cut off while handling it, again and again) goes to the dead-letter queue
                // instead of crashing every replica in turn for ever.
                ["x-delivery-limit"] = options.DeliveryLimit,
                ["x-dead-letter-exchange"] = "",
                ["x-dead-letter-routing-key"] = DeadLetterQueue(consumer),
                ["x-dead-letter-strategy"] = "at-least-once",
                ["x-overflow"] = "reject-publish",
            }, cancellationToken);
            foreach (var type in eventTypes)
            {
                await declarer.Channel.QueueBindAsync(Queue(consumer), options.Exchange, type, cancellationToken: cancellationToken);
            }
        }
    }

    /// <summary>
    /// Declares on one channel; a queue that exists with other arguments (declared by an
    /// earlier GoMicro, or by a replica with other settings) is used as it is, with a warning,
    /// instead of stopping every publish and consume: RabbitMQ refuses to change a queue's
    /// arguments and closes the channel, so a fresh one is opened to go on.
    /// </summary>
    private sealed partial class Declarer(IChannel channel, IConnection? connection, ILogger? logger) : IAsyncDisposable
    {
        public IChannel Channel { get; private set; } = channel;

        public async Task QueueAsync(string queue, IDictionary<string, object?> arguments, CancellationToken cancellationToken)
        {
            try
            {
                await Channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: cancellationToken);
            }
            catch (OperationInterruptedException ex) when (connection is not null && ex.ShutdownReason?.ReplyCode == 406)
            {
                if (logger is not null)
                {
                    LogInequivalentQueue(logger, queue, ex.ShutdownReason.ReplyText);
                }
                await Channel.DisposeAsync();
                Channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                await Channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (connection is not null)
            {
                await Channel.DisposeAsync(); // a channel of its own; a caller's channel stays the caller's
            }
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue} exists with other arguments ({Reason}); using it as it is. Delivery limits and dead-lettering need it recreated: drain it and delete it (README: upgrading the broker).")]
        private static partial void LogInequivalentQueue(ILogger logger, string queue, string reason);
    }
}
