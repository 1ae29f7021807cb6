using System.Globalization;
using System.Text;
using GoMicro.Messaging.Connection;
using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;

namespace GoMicro.Messaging.Consuming;

/// <summary>
/// `&lt;service&gt; dead-letters [--replay] [--max N]`: lists the service's dead-letter queue, or
/// (with --replay, once the cause is fixed) moves each message back to the service's queue
/// for a fresh round of attempts. Without --replay it is a dry run that changes nothing. Each
/// message is republished with confirms before it is removed, so a crash in between can only
/// duplicate it (the inbox makes that harmless), never lose it. Reads RabbitMq__Uri like the
/// service does.
/// </summary>
public static class DeadLetters
{
    public static bool IsRequested(string[] args) => args is ["dead-letters", ..];

    public static async Task<int> RunAsync(string[] args, string serviceName)
    {
        var replay = args.Contains("--replay");
        var maxIndex = Array.IndexOf(args, "--max");
        var max = maxIndex > 0 && maxIndex + 1 < args.Length && int.TryParse(args[maxIndex + 1], CultureInfo.InvariantCulture, out var m) ? m : int.MaxValue;
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production"}.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var uri = configuration["RabbitMq:Uri"];
        if (string.IsNullOrEmpty(uri))
        {
            await Console.Error.WriteLineAsync("RabbitMq__Uri is not set");
            return 2;
        }
        var connection = await new ConnectionFactory { Uri = new Uri(uri), ClientProvidedName = serviceName + "-dead-letters" }.CreateConnectionAsync();
        await using (connection)
        {
            var moved = await ProcessAsync(connection, serviceName, replay, max, Console.Out);
            return moved >= 0 ? 0 : 1;
        }
    }

    /// <summary>Lists (and with <paramref name="replay"/> moves back) up to <paramref name="max"/> dead letters of <paramref name="consumer"/>; returns how many.</summary>
    public static async Task<int> ProcessAsync(IConnection connection, string consumer, bool replay, int max, TextWriter output)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var queue = Topology.DeadLetterQueue(consumer);
        // Only what is there now: a replayed message that fails for good again comes back behind these.
        var waiting = (int)Math.Min(max, await channel.MessageCountAsync(queue));
        await output.WriteLineAsync($"{queue}: {waiting} message(s){(replay ? ", replaying to " + Topology.Queue(consumer) : " (dry run: add --replay to move them back)")}");
        await output.WriteLineAsync($"{"message id",-36}  {"type",-42}  {"attempts",8}  last error");
        var count = 0;
        for (; count < waiting; count++)
        {
            if (await channel.BasicGetAsync(queue, autoAck: false) is not { } message)
            {
                break;
            }
            var headers = message.BasicProperties.Headers ?? new Dictionary<string, object?>();
            var error = headers.TryGetValue(MessageHeaders.LastError, out var e) && e is byte[] bytes ? Encoding.UTF8.GetString(bytes) : "";
            var attempts = headers.TryGetValue(MessageHeaders.Attempt, out var a) ? Convert.ToString(a, CultureInfo.InvariantCulture) : "-";
            await output.WriteLineAsync($"{message.BasicProperties.MessageId,-36}  {message.BasicProperties.Type,-42}  {attempts,8}  {error}");
            if (!replay)
            {
                continue; // left unacknowledged: the broker puts it back when the channel closes
            }
            var properties = new BasicProperties(message.BasicProperties)
            {
                Headers = new Dictionary<string, object?>(headers.Where(h => h.Key is not (MessageHeaders.Attempt or MessageHeaders.UnexpectedFailures) && !h.Key.StartsWith("x-death", StringComparison.Ordinal) && !h.Key.StartsWith("x-first-death", StringComparison.Ordinal) && !h.Key.StartsWith("x-last-death", StringComparison.Ordinal)))
                {
                    [MessageHeaders.Attempt] = 0,
                },
            };
            await channel.BasicPublishAsync("", Topology.Queue(consumer), mandatory: true, properties, message.Body);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false);
        }
        await output.WriteLineAsync(replay ? $"replayed {count}" : $"dry run: {count} would be replayed");
        return count;
    }
}
