using System.Globalization;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GoMicro.Products.Catalog;

/// <summary>
/// Hears every committed change to the products table, from any replica: a trigger (migration
/// ProductChangeNotifications) sends "id,revision,listing" on <see cref="Channel"/> at commit, or
/// "*" after a TRUNCATE. One dedicated connection per replica; the cache serves only while it is
/// listening. When the connection fails (or a ping on a quiet connection does), the cache is
/// cleared and stops serving, so a change made while nobody listened cannot be served stale;
/// it reconnects with capped back-off and LISTENs before the cache serves again.
/// </summary>
public sealed partial class ProductChangeListener(
    ProductCache cache, IConfiguration configuration, IOptions<ProductCacheOptions> options, ILogger<ProductChangeListener> logger) : BackgroundService
{
    public const string Channel = "products_changed";

    /// <summary>The listen connection's application_name (operators and tests find it by this).</summary>
    public const string ApplicationName = "gomicro-products-cache-listener";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(options.Value.ListenConnectionString is { Length: > 0 } own ? own : configuration.GetRequired(PostgresSetup.ConnectionStringKey))
        {
            // Its own physical connection: a pooled one would go back to the pool still listening.
            Pooling = false,
            ApplicationName = ApplicationName,
        }.ConnectionString;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, e) => Apply(e.Payload);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                // Only now is every later commit heard: entries loaded before are dropped by StartServing.
                cache.StartServing();
                CacheMetrics.Serving.Set(1);
                LogListening(logger);
                failures = 0;
                while (true)
                {
                    if (!await connection.WaitAsync(options.Value.PingInterval, stoppingToken))
                    {
                        await PingAsync(connection, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                StopServing();
                failures++;
                LogLost(logger, ex.GetBaseException().Message);
                try
                {
                    await Task.Delay(Backoff.Capped(failures, TimeSpan.FromSeconds(5)), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            finally
            {
                cache.StopServing();
                CacheMetrics.Serving.Set(0);
            }
        }
    }

    private void StopServing()
    {
        cache.StopServing();
        CacheMetrics.Serving.Set(0);
        CacheMetrics.ListenerFailures.Inc();
    }

    /// <summary>A quiet connection may be a dead one: a round trip proves it is not.</summary>
    private async Task PingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.PingTimeout);
        await using var ping = new NpgsqlCommand("SELECT 1", connection);
        try
        {
            await ping.ExecuteScalarAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the listen connection did not answer a ping within {options.Value.PingTimeout}");
        }
    }

    /// <summary>"id,revision,listing" (listing 1 when lists may change), or "*" for everything.</summary>
    internal void Apply(string payload)
    {
        var parts = payload.Split(',');
        if (parts.Length == 3 && Guid.TryParse(parts[0], out var id) && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            cache.Invalidate(id, revision, listing: parts[2] != "0");
            return;
        }
        if (payload != "*")
        {
            LogUnreadable(logger, payload);
        }
        // Whatever it was, something changed: forgetting everything is always safe.
        cache.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for product changes; the catalog cache serves reads")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the product change listener ({Reason}); the catalog cache is cleared and reads go to PostgreSQL until it is back")]
    private static partial void LogLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unreadable product change notification '{Payload}'; cleared the catalog cache")]
    private static partial void LogUnreadable(ILogger logger, string payload);
}
