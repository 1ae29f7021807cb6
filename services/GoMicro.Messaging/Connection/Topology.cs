using RabbitMQ.Client;

namespace GoMicro.Messaging.Connection;

/// <summary>
/// Exchange and queue names, and their declaration (idempotent, at start-up). For a consumer
/// "products": queue "products.events" bound to each handled event type; "products.retry.N"
/// queues that hold a failed message for the N-th delay, then dead-letter it back to
/// "products.events"; and "products.dead-letter" for what failed every attempt.
/// </summary>
public static class Topology
{
    public static string Queue(string consumer) => $"{consumer}.events";

    public static string RetryQueue(string consumer, int attempt) => $"{consumer}.retry.{attempt}";

    public static string DeadLetterQueue(string consumer) => $"{consumer}.dead-letter";

    /// <summary>Where events that no queue is bound for end up, instead of being dropped by the broker.</summary>
    public static string UnroutedQueue(string exchange) => $"{exchange}.unrouted";

    /// <summary>
    /// The event exchange, with an alternate exchange: an event published before any consumer
    /// of its type has declared its queue is kept in "&lt;exchange&gt;.unrouted" rather than lost.
    /// </summary>
    public static async Task DeclareExchangeAsync(IChannel channel, string exchange, CancellationToken cancellationToken)
    {
        var unrouted = UnroutedQueue(exchange);
        await channel.ExchangeDeclareAsync(unrouted, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(unrouted, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(unrouted, unrouted, "", cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["alternate-exchange"] = unrouted }, cancellationToken: cancellationToken);
    }

    public static async Task DeclareConsumerAsync(IChannel channel, RabbitMqOptions options, string consumer, IEnumerable<string> eventTypes, CancellationToken cancellationToken)
    {
        await DeclareExchangeAsync(channel, options.Exchange, cancellationToken);
        var quorum = new Dictionary<string, object?> { ["x-queue-type"] = "quorum" };
        await channel.QueueDeclareAsync(Queue(consumer), durable: true, exclusive: false, autoDelete: false, arguments: quorum, cancellationToken: cancellationToken);
        foreach (var type in eventTypes)
        {
            await channel.QueueBindAsync(Queue(consumer), options.Exchange, type, cancellationToken: cancellationToken);
        }

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
        await channel.QueueDeclareAsync(DeadLetterQueue(consumer), durable: true, exclusive: false, autoDelete: false, arguments: quorum, cancellationToken: cancellationToken);
    }
}
