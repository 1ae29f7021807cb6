using GoMicro.ServiceDefaults.Hosting;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;

namespace GoMicro.ServiceDefaults.Grpc;

public static class GrpcClientSetup
{
    /// <summary>
    /// A gRPC client to another service at Services:{name}:Grpc, behind Polly
    /// (Microsoft.Extensions.Http.Resilience): a per-try timeout, jittered retries of
    /// connection failures (only ever used for reads), a circuit breaker, and an overall
    /// budget (<paramref name="budget"/>, under a second by default), so an outage costs
    /// callers a fast 503 rather than a hang. A caller of a service that itself calls another
    /// needs a larger budget than the inner call's. Tunable under Services:{name}:Resilience.
    /// </summary>
    public static IHttpClientBuilder AddServiceClient<TClient>(this IHostApplicationBuilder builder, string name, TimeSpan? budget = null) where TClient : ClientBase
    {
        var address = new Uri(builder.Configuration.GetRequired($"Services:{name}:Grpc"));
        var client = builder.Services.AddGrpcClient<TClient>(o => o.Address = address);
        var resilience = client.AddStandardResilienceHandler();
        resilience.Configure(o =>
        {
            var total = budget ?? TimeSpan.FromMilliseconds(900);
            o.TotalRequestTimeout.Timeout = total;
            o.AttemptTimeout.Timeout = total / 2;
            o.Retry.MaxRetryAttempts = 2;
            o.Retry.Delay = TimeSpan.FromMilliseconds(50);
            o.Retry.UseJitter = true;
            o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(10);
            o.CircuitBreaker.MinimumThroughput = 10;
            o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(5);
        });
        var overrides = builder.Configuration.GetSection($"Services:{name}:Resilience");
        if (overrides.Exists())
        {
            resilience.Configure(overrides);
        }
        return client;
    }
}
