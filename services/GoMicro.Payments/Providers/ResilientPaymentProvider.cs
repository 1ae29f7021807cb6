using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace GoMicro.Payments.Providers;

/// <summary>Section "Payments:Provider".</summary>
public sealed class ProviderOptions
{
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public int MaxRetries { get; set; } = 2;

    /// <summary>The longest a charge can take: every attempt timing out, plus the back-off between them (at most 1 s each).</summary>
    public TimeSpan WorstCase => AttemptTimeout * (MaxRetries + 1) + TimeSpan.FromSeconds(MaxRetries);
}

/// <summary>
/// Polly around the provider: a timeout per attempt and jittered retries of transient
/// failures (safe: the provider is idempotent per payment id). A charge whose attempts all
/// failed is NotCharged only if none of them timed out; a timed-out attempt may have charged,
/// so the outcome is Unknown until the provider is asked.
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

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        var timedOut = false;
        try
        {
            return await _pipeline.ExecuteAsync(async token =>
            {
                try
                {
                    return await inner.ChargeAsync(request, token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    timedOut = true; // Polly's attempt timeout: the request may have been taken
                    throw;
                }
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is PaymentProviderUnavailableException or TimeoutRejectedException)
        {
            return timedOut ? ChargeResult.Unknown("payment_provider_timeout: " + ex.Message) : ChargeResult.NotCharged("payment_provider_unavailable: " + ex.Message);
        }
    }

    public Task<ChargeResult> FindChargeAsync(Guid paymentId, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(async token => await inner.FindChargeAsync(paymentId, token), cancellationToken).AsTask();

    public Task RefundAsync(Guid paymentId, string reference, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(async token => await inner.RefundAsync(paymentId, reference, token), cancellationToken).AsTask();
}
