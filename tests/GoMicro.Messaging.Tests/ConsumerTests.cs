using GoMicro.Events.V1;
using GoMicro.Messaging.Connection;
using GoMicro.Testing;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace GoMicro.Messaging.Tests;

public sealed class ConsumerTests(MessagingFixture fixture) : IClassFixture<MessagingFixture>, IAsyncLifetime
{
    private IHost _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync(fixture.Database.ConnectionString, fixture.Broker.Uri);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        _app.Dispose();
    }

    [Fact]
    public async Task A_message_whose_handler_always_throws_is_retried_then_dead_lettered_without_blocking_the_queue()
    {
        var poison = "poison-" + Guid.NewGuid();
        var good = "good-" + Guid.NewGuid();
        var poisonId = Guid.NewGuid();

        await fixture.Events.PublishAsync(new ProductDeleted { ProductId = poison }, poisonId);
        await fixture.Events.PublishAsync(new ProductDeleted { ProductId = good });

        // The good message behind it is handled while the poison one waits between attempts.
        await Eventually.UntilAsync(async () => await HandledCountAsync(good) == 1);
        var deadLetter = await WaitForDeadLetterAsync(poisonId);

        var attempt = Convert.ToInt32(deadLetter.BasicProperties.Headers![MessageHeaders.Attempt], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3, attempt); // three retries after the first failure
        Assert.Contains(poison, System.Text.Encoding.UTF8.GetString((byte[])deadLetter.BasicProperties.Headers[MessageHeaders.LastError]!), StringComparison.Ordinal);
        Assert.Equal(poison, ProductDeleted.Parser.ParseFrom(deadLetter.Body.Span).ProductId);
        Assert.Equal(0, await HandledCountAsync(poison));
        Assert.Equal(0u, await fixture.Events.MessageCountAsync(Topology.Queue(TestApp.Consumer)));
    }

    [Fact]
    public async Task A_handler_failing_while_its_database_refuses_writes_is_retried_past_every_delay_and_never_dead_lettered()
    {
        // Three retry delays are configured; the "database" refuses writes for seven attempts.
        var flaky = "flaky-7-" + Guid.NewGuid();

        await fixture.Events.PublishAsync(new ProductDeleted { ProductId = flaky });

        await Eventually.UntilAsync(async () => await HandledCountAsync(flaky) == 1, seconds: 30, what: "handled once writes work again");
        Assert.Equal(7, await fixture.Database.ScalarAsync<int>($"SELECT attempt FROM handled WHERE product_id = '{flaky}'"));
        Assert.Equal(0u, await fixture.Events.MessageCountAsync(Topology.DeadLetterQueue(TestApp.Consumer)));
    }

    [Fact]
    public async Task A_long_outage_does_not_use_up_the_retries_of_a_later_unexpected_failure()
    {
        // Five transient failures, then two unexpected ones: within the three retry delays.
        var product = "outage-5-2-" + Guid.NewGuid();

        await fixture.Events.PublishAsync(new ProductDeleted { ProductId = product });

        await Eventually.UntilAsync(async () => await HandledCountAsync(product) == 1, seconds: 30, what: "handled after the outage and the glitches");
        Assert.Equal(7, await fixture.Database.ScalarAsync<int>($"SELECT attempt FROM handled WHERE product_id = '{product}'"));
    }

    [Fact]
    public async Task A_message_that_keeps_coming_back_unacknowledged_is_dead_lettered_after_the_delivery_limit()
    {
        await _app.StopAsync(); // the queue exists; nobody consumes it but this test, which "crashes" on every delivery
        var product = "crash-" + Guid.NewGuid();
        var id = Guid.NewGuid();
        await fixture.Events.PublishAsync(new ProductDeleted { ProductId = product }, id);

        var connection = await new ConnectionFactory { Uri = new Uri(fixture.Broker.Uri) }.CreateConnectionAsync();
        await using (connection)
        await using (var channel = await connection.CreateChannelAsync())
        {
            for (var delivery = 0; delivery < 60; delivery++)
            {
                if (await channel.BasicGetAsync(Topology.Queue(TestApp.Consumer), autoAck: false) is not { } message)
                {
                    break;
                }
                await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: true);
            }
        }

        var deadLetter = await WaitForDeadLetterAsync(id);
        Assert.Equal(product, ProductDeleted.Parser.ParseFrom(deadLetter.Body.Span).ProductId);
        Assert.Equal(0u, await fixture.Events.MessageCountAsync(Topology.Queue(TestApp.Consumer)));
    }

    [Fact]
    public async Task The_dead_letter_command_lists_without_moving_and_replays_for_a_fresh_round_of_attempts()
    {
        var poison = "poison-" + Guid.NewGuid();
        var id = Guid.NewGuid();
        var trace = ConsumedMessages.NewTraceParent();
        await fixture.Events.PublishAsync(new ProductDeleted { ProductId = poison }, id, trace);
        // The first delivery and three retries; the last one moves it to the dead-letter queue.
        await ConsumedMessages.WaitForAsync(trace, deliveries: 4);
        await _app.StopAsync(); // "the fix is being deployed": nothing consumes while the operator replays

        var connection = await new ConnectionFactory { Uri = new Uri(fixture.Broker.Uri) }.CreateConnectionAsync();
        await using (connection)
        {
            var listing = new StringWriter();
            var listed = await Consuming.DeadLetters.ProcessAsync(connection, TestApp.Consumer, replay: false, int.MaxValue, listing);
            Assert.True(listed >= 1);
            Assert.Contains($"{id}  {EventTypes.NameOf<ProductDeleted>()}", listing.ToString(), StringComparison.Ordinal);
            Assert.Contains("cannot handle " + poison, listing.ToString(), StringComparison.Ordinal);
            Assert.Contains("dry run", listing.ToString(), StringComparison.Ordinal);
            await Eventually.UntilAsync(async () => await fixture.Events.MessageCountAsync(Topology.DeadLetterQueue(TestApp.Consumer)) == (uint)listed, what: "dry run left them");

            var replayed = await Consuming.DeadLetters.ProcessAsync(connection, TestApp.Consumer, replay: true, int.MaxValue, new StringWriter());

            Assert.Equal(listed, replayed);
            Assert.Equal(0u, await fixture.Events.MessageCountAsync(Topology.DeadLetterQueue(TestApp.Consumer)));
            await using var channel = await connection.CreateChannelAsync();
            var back = new List<BasicGetResult>();
            while (await channel.BasicGetAsync(Topology.Queue(TestApp.Consumer), autoAck: true) is { } message)
            {
                back.Add(message);
            }
            var ours = Assert.Single(back, m => ProductDeleted.Parser.ParseFrom(m.Body.Span).ProductId == poison);
            Assert.Equal(0, Convert.ToInt32(ours.BasicProperties.Headers![MessageHeaders.Attempt], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task An_unparseable_message_goes_straight_to_the_dead_letter_queue()
    {
        var id = Guid.NewGuid().ToString();
        var connection = await new ConnectionFactory { Uri = new Uri(fixture.Broker.Uri) }.CreateConnectionAsync();
        await using (connection)
        await using (var channel = await connection.CreateChannelAsync())
        {
            var properties = new BasicProperties { MessageId = id, Type = EventTypes.NameOf<ProductDeleted>() };
            await channel.BasicPublishAsync(EventProbe.Exchange, properties.Type, false, properties, new byte[] { 0xFF, 0xFF, 0xFF });
        }

        var deadLetter = await WaitForDeadLetterAsync(Guid.Parse(id));
        Assert.Equal(0, Convert.ToInt32(deadLetter.BasicProperties.Headers![MessageHeaders.Attempt], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Concurrent_redeliveries_of_one_message_are_handled_once()
    {
        var id = Guid.NewGuid();
        var product = "dup-" + Guid.NewGuid();
        var trace = ConsumedMessages.NewTraceParent();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => fixture.Events.PublishAsync(new ProductDeleted { ProductId = product }, id, trace)));

        // Every copy has been through the consumer (handled, or found to be a duplicate)...
        await ConsumedMessages.WaitForAsync(trace, deliveries: 10);
        // ...and the handler's effect is there once: the inbox row alone would say so even if
        // every copy had run the handler, as its primary key admits one row per message.
        Assert.Equal(1, await HandledCountAsync(product));
    }

    private async Task<long> HandledCountAsync(string productId) =>
        await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM handled WHERE product_id = '{productId}'");

    /// <summary>
    /// Waits for the message <paramref name="messageId"/> in the class's dead-letter queue and
    /// takes it out. Other tests' dead letters are left where they are: they are read without
    /// being acknowledged, and the broker puts them back when the channel closes.
    /// </summary>
    private async Task<BasicGetResult> WaitForDeadLetterAsync(Guid messageId)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(fixture.Broker.Uri) }.CreateConnectionAsync();
        await using (connection)
        await using (var channel = await connection.CreateChannelAsync())
        {
            BasicGetResult? ours = null;
            await Eventually.UntilAsync(async () =>
            {
                while (ours is null && await channel.BasicGetAsync(Topology.DeadLetterQueue(TestApp.Consumer), autoAck: false) is { } message)
                {
                    ours = message.BasicProperties.MessageId == messageId.ToString() ? message : null;
                }
                return ours is not null;
            }, what: $"message {messageId} dead-lettered");
            await channel.BasicAckAsync(ours!.DeliveryTag, multiple: false);
            return ours;
        }
    }
}
