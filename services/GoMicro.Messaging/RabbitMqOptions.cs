namespace GoMicro.Messaging;

/// <summary>Section "RabbitMq".</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    /// <summary>amqp://user:pass@host:5672/vhost (RabbitMq__Uri).</summary>
    public string Uri { get; set; } = "";

    /// <summary>The durable topic exchange every event is published to, routed by event type.</summary>
    public string Exchange { get; set; } = "gomicro.events";

    /// <summary>Unacknowledged messages a consumer holds at once.</summary>
    public ushort Prefetch { get; set; } = 16;

    /// <summary>Messages a consumer handles in parallel.</summary>
    public ushort ConsumerConcurrency { get; set; } = 4;

    /// <summary>
    /// Delays before each redelivery of a message whose handler failed. A failure because a
    /// dependency is unavailable is retried after the last delay again for as long as it lasts;
    /// any other unexpected failure is dead-lettered after the last one.
    /// </summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    public IReadOnlyList<TimeSpan> EffectiveRetryDelays =>
        RetryDelays.Count > 0 ? RetryDelays : [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)];

    /// <summary>
    /// Deliveries of one message that may come back unacknowledged (its consumer crashed while
    /// handling it) before the broker moves it to the dead-letter queue.
    /// </summary>
    public int DeliveryLimit { get; set; } = 20;

    /// <summary>How often the outbox is polled when nothing signals new rows.</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int OutboxBatchSize { get; set; } = 100;
}
