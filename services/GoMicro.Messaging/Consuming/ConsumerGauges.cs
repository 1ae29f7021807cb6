using GoMicro.Messaging.Connection;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GoMicro.Messaging.Consuming;

/// <summary>
/// gomicro_consumer_running and gomicro_dead_letter_messages, for the alerts on a consumer
/// that stopped and on messages parked in the dead-letter queue (which stay there until
/// someone replays them). The queue is counted only while the consumer runs, over the
/// service's own connection: this never opens a connection of its own, so a broker outage
/// adds no noise here (the count keeps its last value, the consumer gauge says 0).
/// </summary>
internal sealed class ConsumerGauges(IServiceProvider services, RabbitMqConnection connection, ServiceIdentity service, TimeProvider clock, ILogger<ConsumerGauges> logger)
    : PollingWorker(clock, logger)
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(15);

    protected override TimeSpan Interval => Every;

    protected override async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        // Resolved here, not injected: this is a hosted service itself, so asking for them all in
        // the constructor would be a cycle.
        var consuming = services.GetServices<IHostedService>().OfType<EventConsumer>().Single().IsConsuming;
        MessagingMetrics.ConsumerRunning.Set(consuming ? 1 : 0);
        if (consuming && connection.IsOpen)
        {
            await using var channel = await (await connection.GetAsync(cancellationToken)).CreateChannelAsync(cancellationToken: cancellationToken);
            MessagingMetrics.DeadLetterMessages.Set(await channel.MessageCountAsync(Topology.DeadLetterQueue(service.Name), cancellationToken));
        }
        return false;
    }
}
