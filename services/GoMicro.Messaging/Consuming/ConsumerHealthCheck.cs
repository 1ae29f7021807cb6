using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GoMicro.Messaging.Consuming;

/// <summary>Ready once the service consumes its queue.</summary>
internal sealed class ConsumerHealthCheck(IEnumerable<Microsoft.Extensions.Hosting.IHostedService> hosted) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var consumer = hosted.OfType<EventConsumer>().Single();
        return Task.FromResult(consumer.IsConsuming
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("not consuming its RabbitMQ queue yet"));
    }
}
