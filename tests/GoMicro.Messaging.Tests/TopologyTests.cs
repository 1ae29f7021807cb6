using GoMicro.Messaging.Connection;
using GoMicro.Testing;
using RabbitMQ.Client;

namespace GoMicro.Messaging.Tests;

public sealed class TopologyTests
{
    [Fact]
    public async Task An_event_no_queue_is_bound_for_is_kept_in_the_unrouted_queue()
    {
        var vhost = new RabbitMqVhost();
        await vhost.InitializeAsync();
        try
        {
            var connection = await new ConnectionFactory { Uri = new Uri(vhost.Uri) }.CreateConnectionAsync();
            await using (connection)
            await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
            {
                var exchange = new RabbitMqOptions().Exchange;
                await Topology.DeclareExchangeAsync(channel, exchange, CancellationToken.None);
                await channel.BasicPublishAsync(exchange, "gomicro.events.v1.NobodyListens", new byte[] { 1, 2, 3 });

                var kept = await channel.BasicGetAsync(Topology.UnroutedQueue(exchange), autoAck: true);
                Assert.NotNull(kept);
                Assert.Equal("gomicro.events.v1.NobodyListens", kept.RoutingKey);
            }
        }
        finally
        {
            await vhost.DisposeAsync();
        }
    }
}
