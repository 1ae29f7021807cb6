using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace GoMicro.Payments.Providers;

/// <summary>Section "Payments:Provider".</summary>
public sealed class ProviderOptions
{
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public int MaxRetries { get; set; } = 2;
}

/// <summary>
/// Polly around the provider: a timeout per attempt and jittered retries of transient
/// failures. Safe because the provider is idempotent per payment id.
/// </summary>
public sealed class ResilientPaymentProvider(IPaymentProvider inner, ProviderOptions options) : IPaymentProvider
{
    private readonly ResiliencePipeline _pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<PaymentProviderUnavailableException>().Handle<TimeoutRejectedException>(),
            MaxRetryAttempts = options.MaxRetries,
            Delay = TimeSpan.FromMilliseconds(100),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .AddTimeout(options.AttemptTimeout)
        .Build();

    public string? ValidatePaymentMethod(string paymentMethod) => inner.ValidatePaymentMethod(paymentMethod);

    public Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(async token => await inner.ChargeAsync(request, token), cancellationToken).AsTask();

    public Task RefundAsync(Guid paymentId, string reference, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(async token => await inner.RefundAsync(paymentId, reference, token), cancellationToken).AsTask();
}
