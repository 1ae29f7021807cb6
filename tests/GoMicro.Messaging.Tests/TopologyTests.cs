using GoMicro.Messaging.Connection;
using GoMicro.Testing;
using RabbitMQ.Client;

namespace GoMicro.Messaging.Tests;

/// <summary>The broker topology every service declares, on a fresh virtual host per test.</summary>
public sealed class TopologyTests : IAsyncLifetime
{
    private readonly RabbitMqVhost _vhost = new();

    public ValueTask InitializeAsync() => _vhost.InitializeAsync();

    public ValueTask DisposeAsync() => _vhost.DisposeAsync();

    private Task<IConnection> ConnectAsync() => new ConnectionFactory { Uri = new Uri(_vhost.Uri) }.CreateConnectionAsync();

    [Fact]
    public async Task An_event_no_queue_is_bound_for_is_kept_in_the_unrouted_queue()
    {
        var connection = await ConnectAsync();
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

    [Fact]
    public async Task Every_consumer_queue_exists_before_anything_is_published_and_the_unrouted_queue_is_bounded()
    {
        var options = new RabbitMqOptions();
        var connection = await ConnectAsync();
        await using (connection)
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
        {
            // What a publisher does before its first event: no consumer has ever started.
            await Topology.DeclareAllAsync(connection, options, EventRoutes.Shop, null, CancellationToken.None);
            await channel.BasicPublishAsync(options.Exchange, EventRoutes.Name<Events.V1.PaymentSucceeded>(), new byte[] { 1 });

            Assert.Equal(1u, await channel.MessageCountAsync(Topology.Queue("products")));
            Assert.Equal(1u, await channel.MessageCountAsync(Topology.Queue("basket")));
            Assert.Equal(0u, await channel.MessageCountAsync(Topology.UnroutedQueue(options.Exchange)));
        }
        var unrouted = await _vhost.QueueArgumentsAsync(Topology.UnroutedQueue(options.Exchange));
        Assert.Equal(Topology.UnroutedMaxLength, unrouted.GetProperty("x-max-length").GetInt32());
        var main = await _vhost.QueueArgumentsAsync(Topology.Queue("payments"));
        Assert.Equal(options.DeliveryLimit, main.GetProperty("x-delivery-limit").GetInt32());
        Assert.Equal(Topology.DeadLetterQueue("payments"), main.GetProperty("x-dead-letter-routing-key").GetString());
    }

    [Fact]
    public async Task Queues_left_by_an_earlier_version_with_other_arguments_are_used_as_they_are()
    {
        var options = new RabbitMqOptions();
        var connection = await ConnectAsync();
        await using (connection)
        {
            await using (var old = await connection.CreateChannelAsync())
            {
                // How the previous release declared them: quorum, nothing else.
                var quorum = new Dictionary<string, object?> { ["x-queue-type"] = "quorum" };
                await old.QueueDeclareAsync(Topology.UnroutedQueue(options.Exchange), true, false, false, quorum);
                await old.QueueDeclareAsync(Topology.Queue("products"), true, false, false, quorum);
            }

            await Topology.DeclareConsumerAsync(connection, options, EventRoutes.Shop, "products", null, CancellationToken.None);

            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
            await channel.BasicPublishAsync(options.Exchange, EventRoutes.Name<Events.V1.PaymentSucceeded>(), new byte[] { 1 });
            Assert.Equal(1u, await channel.MessageCountAsync(Topology.Queue("products")));
            Assert.Equal(1u, await channel.MessageCountAsync(Topology.Queue("basket")));
        }
        Assert.False((await _vhost.QueueArgumentsAsync(Topology.Queue("products"))).TryGetProperty("x-delivery-limit", out _)); // kept as it was
        Assert.True((await _vhost.QueueArgumentsAsync(Topology.Queue("basket"))).TryGetProperty("x-delivery-limit", out _));
    }
}
