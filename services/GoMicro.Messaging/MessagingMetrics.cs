using Prometheus;

namespace GoMicro.Messaging;

internal static class MessagingMetrics
{
    public static readonly Counter Published = Metrics.CreateCounter(
        "gomicro_messages_published_total", "Events published and confirmed by the broker.", "type");

    public static readonly Counter Consumed = Metrics.CreateCounter(
        "gomicro_messages_consumed_total", "Events handled, by outcome (handled, duplicate).", "type", "outcome");

    public static readonly Counter Retried = Metrics.CreateCounter(
        "gomicro_messages_retried_total",
        "Events whose handler failed and that were scheduled again, by failure (transient: a dependency is unavailable, retried for as long as it lasts; unknown).",
        "type", "failure");

    public static readonly Counter DeadLettered = Metrics.CreateCounter(
        "gomicro_messages_dead_lettered_total", "Events moved to the dead-letter queue.", "type");

    public static readonly Gauge OutboxLag = Metrics.CreateGauge(
        "gomicro_outbox_lag_seconds", "Age of the oldest unsent outbox row (0 when empty).");

    public static readonly Gauge OutboxPending = Metrics.CreateGauge(
        "gomicro_outbox_pending", "Unsent outbox rows.");

    public static readonly Gauge ConsumerRunning = Metrics.CreateGauge(
        "gomicro_consumer_running", "1 while this process consumes its RabbitMQ queue, else 0.");

    public static readonly Gauge DeadLetterMessages = Metrics.CreateGauge(
        "gomicro_dead_letter_messages", "Messages waiting in this service's dead-letter queue, as last counted (a replay empties it).");
}
