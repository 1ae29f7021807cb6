using GoMicro.ServiceDefaults.Health;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GoMicro.Basket.Infrastructure;

internal static class RedisSetup
{
    /// <summary>
    /// One multiplexer for the process. While Redis is unreachable, commands fail at once
    /// (FailFast backlog, sub-second timeouts) so callers get 503 quickly; the multiplexer
    /// reconnects by itself.
    /// </summary>
    public static void AddRedis(this WebApplicationBuilder builder)
    {
        var options = ConfigurationOptions.Parse(builder.Configuration.GetRequired("ConnectionStrings:Redis"));
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = 500;
        options.AsyncTimeout = 500;
        options.ConnectRetry = 1;
        options.ReconnectRetryPolicy = new LinearRetry(250);
        options.ClientName = "gomicro-basket";

        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IConnectionMultiplexer>().GetDatabase());
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthTags.Ready]);
        // Redis unreachable is UNAVAILABLE (503) for the caller, never INTERNAL.
        builder.Services.AddDependencyFailure<RedisConnectionException>().AddDependencyFailure<RedisTimeoutException>();
    }
}

internal sealed class RedisHealthCheck(IDatabase redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.PingAsync();
            return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis unreachable", ex);
        }
    }
}
