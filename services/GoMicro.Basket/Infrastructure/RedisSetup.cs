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
        var options = Options(builder.Configuration.GetRequired("ConnectionStrings:Redis"));
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IConnectionMultiplexer>().GetDatabase());
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthTags.Ready]);
        // Redis unreachable is UNAVAILABLE (503) for the caller, never INTERNAL.
        builder.Services.AddDependencyFailure<RedisConnectionException>().AddDependencyFailure<RedisTimeoutException>();
    }

    // Our defaults come first, so what the connection string says wins: an operator who sets
    // asyncTimeout=2000 in ConnectionStrings__Redis gets 2 s, not our 500 ms.
    private const string Defaults = "abortConnect=false,connectTimeout=2000,syncTimeout=500,asyncTimeout=500,connectRetry=1,name=gomicro-basket";

    /// <summary>The multiplexer's options: ours, then the connection string's on top.</summary>
    private static ConfigurationOptions Options(string connectionString)
    {
        var options = ConfigurationOptions.Parse($"{Defaults},{connectionString}");
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new LinearRetry(250);
        return options;
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
