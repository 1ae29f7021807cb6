using Prometheus;

namespace GoMicro.Payments.Checkout;

internal static class PaymentsMetrics
{
    public static readonly Counter Payments = Metrics.CreateCounter(
        "gomicro_payments_total", "Charge outcomes recorded, by checkout or by recovery (succeeded, declined, failed; unknown: the provider's answer was lost).", "outcome");

    public static readonly Counter Checkouts = Metrics.CreateCounter(
        "gomicro_checkouts_total", "Checkout requests by result: charged (the payment succeeded), not_charged (declined or failed at the provider), pending (outcome unknown), replayed (same Idempotency-Key), refused (an error answer).", "result");

    public static readonly Counter Refunds = Metrics.CreateCounter(
        "gomicro_payments_refunds_total", "Payments refunded because stock could not be reserved.");

    public static readonly Histogram CheckoutDuration = Metrics.CreateHistogram(
        "gomicro_checkout_duration_seconds", "Time to answer a checkout, replays included.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.005, 2, 12) });
}
