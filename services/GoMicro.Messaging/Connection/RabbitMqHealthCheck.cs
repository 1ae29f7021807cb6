using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GoMicro.Messaging.Connection;

/// <summary>Ready only while the AMQP connection is open (and not while it is being recovered).</summary>
internal sealed class RabbitMqHealthCheck(RabbitMqConnection connection) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            var amqp = await connection.GetAsync(timeout.Token);
            return amqp.IsOpen ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("connection to RabbitMQ lost; recovering");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("RabbitMQ unreachable", ex);
        }
    }
}
