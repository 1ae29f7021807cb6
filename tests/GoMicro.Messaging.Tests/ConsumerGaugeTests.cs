using System.Globalization;
using System.Text.RegularExpressions;
using GoMicro.Events.V1;
using GoMicro.Testing;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace GoMicro.Messaging.Tests;

/// <summary>
/// prometheus-net's registry is one per process and every test app sets these gauges, so this
/// class runs alone, after the others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMetricsCollection
{
    public const string Name = "process-wide metrics";
}

/// <summary>The gauges behind the GoMicroConsumerNotRunning and GoMicroDeadLetters alerts.</summary>
[Collection(ProcessMetricsCollection.Name)]
public sealed class ConsumerGaugeTests(MessagingFixture fixture) : IClassFixture<MessagingFixture>
{
    private static async Task<double?> GaugeAsync(string name)
    {
        using var stream = new MemoryStream();
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        var match = Regex.Match(text, $"^{name} (\\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [Fact]
    public async Task A_consuming_service_reports_it_and_counts_what_waits_in_its_dead_letter_queue()
    {
        var app = await TestApp.StartAsync(fixture.Database.ConnectionString, fixture.Broker.Uri);
        try
        {
            await Eventually.UntilAsync(async () => await GaugeAsync("gomicro_consumer_running") == 1, seconds: 40, what: "gomicro_consumer_running 1");

            // Unparseable: straight to the dead-letter queue.
            var connection = await new ConnectionFactory { Uri = new Uri(fixture.Broker.Uri) }.CreateConnectionAsync();
            await using (connection)
            await using (var channel = await connection.CreateChannelAsync())
            {
                var properties = new BasicProperties { MessageId = Guid.NewGuid().ToString(), Type = EventTypes.NameOf<ProductDeleted>() };
                await channel.BasicPublishAsync(EventProbe.Exchange, properties.Type, false, properties, new byte[] { 0xFF, 0xFF });
            }

            await Eventually.UntilAsync(async () => await GaugeAsync("gomicro_dead_letter_messages") == 1, seconds: 40, what: "gomicro_dead_letter_messages 1 (counted every 15 s)");
        }
        finally
        {
            await app.StopAsync();
            app.Dispose();
        }
    }
}
