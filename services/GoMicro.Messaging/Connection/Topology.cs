using RabbitMQ.Client;

namespace GoMicro.Messaging.Connection;

/// <summary>
/// Exchange and queue names, and their declaration (idempotent, by every service at start-up
/// and whenever it opens a channel). For a consumer "products": queue "products.events" bound
/// to each event type its route lists; "products.retry.N" queues that hold a failed message
/// for the N-th delay, then dead-letter it back to "products.events"; and
/// "products.dead-letter" for what can never succeed, or came back unacknowledged more than
/// <see cref="RabbitMqOptions.DeliveryLimit"/> times (a message that crashes its consumer).
/// </summary>
public static class Topology
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
        var unrouted = UnroutedQueue(exchange);
        await channel.ExchangeDeclareAsync(unrouted, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(unrouted, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-max-length"] = UnroutedMaxLength,
                ["x-overflow"] = "drop-head",
            },
            cancellationToken: cancellationToken);
        await channel.QueueBindAsync(unrouted, unrouted, "", cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["alternate-exchange"] = unrouted }, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// The exchange and every consumer's queue, bindings and dead-letter queue: what must exist
    /// before anything is published. Retry queues are declared by their consumer only (their
    /// delays are that consumer's settings).
    /// </summary>
    public static async Task DeclareAllAsync(IChannel channel, RabbitMqOptions options, EventRoutes routes, CancellationToken cancellationToken)
    {
        await DeclareExchangeAsync(channel, options.Exchange, cancellationToken);
        foreach (var (consumer, eventTypes) in routes.ByConsumer)
        {
            await DeclareQueueAsync(channel, options, consumer, eventTypes, cancellationToken);
        }
    }

    /// <summary>The whole topology, and the retry queues of <paramref name="consumer"/>.</summary>
    public static async Task DeclareConsumerAsync(IChannel channel, RabbitMqOptions options, EventRoutes routes, string consumer, CancellationToken cancellationToken)
    {
        await DeclareAllAsync(channel, options, routes, cancellationToken);
        var delays = options.EffectiveRetryDelays;
        for (var attempt = 1; attempt <= delays.Count; attempt++)
        {
            await channel.QueueDeclareAsync(RetryQueue(consumer, attempt), durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?>
                {
                    ["x-queue-type"] = "quorum",
                    ["x-message-ttl"] = (long)delays[attempt - 1].TotalMilliseconds,
                    ["x-dead-letter-exchange"] = "",
                    ["x-dead-letter-routing-key"] = Queue(consumer),
                    // Quorum queues can dead-letter at-least-once: a message leaves the retry
                    // queue only once the main queue has it.
                    ["x-dead-letter-strategy"] = "at-least-once",
                    ["x-overflow"] = "reject-publish",
                },
                cancellationToken: cancellationToken);
        }
    }

    private static async Task DeclareQueueAsync(IChannel channel, RabbitMqOptions options, string consumer, IEnumerable<string> eventTypes, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(Queue(consumer), durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>
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
            },
            cancellationToken: cancellationToken);
        foreach (var type in eventTypes)
        {
            await channel.QueueBindAsync(Queue(consumer), options.Exchange, type, cancellationToken: cancellationToken);
        }

        await channel.QueueDeclareAsync(DeadLetterQueue(consumer), durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
    }
}
