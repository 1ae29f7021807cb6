using System.ComponentModel.DataAnnotations.Schema;
using System.Diagnostics;
using System.Text;
using GoMicro.Messaging.Connection;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace GoMicro.Messaging.Outbox;

/// <summary>
/// Publishes committed outbox rows. Each batch is claimed with FOR UPDATE SKIP LOCKED inside a
/// transaction, published with publisher confirms, and marked sent in that same transaction:
/// replicas never publish a row twice at once, and a crash before the commit only means the
/// rows are published again later (consumers de-duplicate by message id). While the broker is
/// down the rows wait, and the dispatcher retries with back-off.
/// </summary>
public sealed partial class OutboxDispatcher<TContext>(
    IServiceScopeFactory scopes,
    RabbitMqConnection connection,
    EventRoutes routes,
    OutboxSignal signal,
    TimeProvider clock,
    ILogger<OutboxDispatcher<TContext>> logger) : BackgroundService where TContext : DbContext
{
    private static readonly ActivitySource Source = new("GoMicro.Messaging");
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);
    private IChannel? _channel;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int published;
                do
                {
                    published = await DispatchBatchAsync(stoppingToken);
                }
                while (published == connection.Options.OutboxBatchSize);
                failures = 0;
                await ReportLagAsync(stoppingToken);
                await signal.WaitAsync(connection.Options.OutboxPollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                LogDispatchFailed(logger, failures, ex.GetBaseException().Message);
                await DropChannelAsync();
                await ReportLagSafelyAsync(stoppingToken);
                try
                {
                    await Task.Delay(Backoff.Capped(failures), clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        await DropChannelAsync();
    }

    /// <summary>Publishes one batch; returns how many rows it sent.</summary>
    internal async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var batch = await db.Set<OutboxMessage>()
            .FromSqlInterpolated($"SELECT * FROM outbox_messages WHERE sent_at IS NULL ORDER BY occurred_at, id LIMIT {connection.Options.OutboxBatchSize} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);
        if (batch.Count == 0)
        {
            return 0;
        }

        var channel = await GetChannelAsync(cancellationToken);
        var now = clock.GetUtcNow();
        // A publish to a connection that is being recovered waits for it; give up instead, so
        // the claimed rows are released and the outage shows in the lag metric.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        // The whole batch is in flight at once and its confirms are awaited together: the broker
        // confirms (and, for quorum queues, commits to its log) many messages at a time, where one
        // publish after another paid a confirm round trip each. Any nack or timeout fails the batch.
        await Task.WhenAll(batch.Select(message => PublishAsync(channel, message, timeout.Token)));
        foreach (var message in batch)
        {
            message.SentAt = now;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return batch.Count;
    }

    private async Task PublishAsync(IChannel channel, OutboxMessage message, CancellationToken cancellationToken)
    {
        using var activity = MessagingTracing.StartContinuing(Source, $"{message.Type} publish", ActivityKind.Producer, message.TraceParent);
        var properties = new BasicProperties
        {
            MessageId = message.Id.ToString(),
            Type = message.Type,
            CorrelationId = message.CorrelationId,
            ContentType = MessageHeaders.ContentType,
            DeliveryMode = DeliveryModes.Persistent,
            Timestamp = new AmqpTimestamp(message.OccurredAt.ToUnixTimeSeconds()),
            Headers = new Dictionary<string, object?>
            {
                [MessageHeaders.TraceParent] = Encoding.UTF8.GetBytes(activity?.Id ?? message.TraceParent ?? ""),
                [MessageHeaders.TraceState] = Encoding.UTF8.GetBytes(activity?.TraceStateString ?? message.TraceState ?? ""),
            },
        };
        await channel.BasicPublishAsync(connection.Options.Exchange, message.Type, mandatory: false, properties, message.Payload, cancellationToken);
        MessagingMetrics.Published.WithLabels(message.Type).Inc();
    }

    private async Task<IChannel> GetChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true })
        {
            return _channel;
        }
        await DropChannelAsync();
        await Topology.DeclareAllAsync(await connection.GetAsync(cancellationToken), connection.Options, routes, logger, cancellationToken);
        var channel = await connection.CreateConfirmedChannelAsync(cancellationToken);
        _channel = channel;
        return channel;
    }

    private async Task DropChannelAsync()
    {
        if (_channel is not null)
        {
            try
            {
                await _channel.DisposeAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A channel of a dead connection may fail to close; it is dropped either way.
            }
            _channel = null;
        }
    }

    private async Task ReportLagAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        // One round trip for both gauges: this runs after every dispatch round.
        var backlog = await db.Database
            .SqlQuery<OutboxBacklog>($"SELECT count(*) AS \"Pending\", min(occurred_at) AS \"Oldest\" FROM outbox_messages WHERE sent_at IS NULL")
            .SingleAsync(cancellationToken);
        MessagingMetrics.OutboxLag.Set(backlog.Oldest is { } o ? Math.Max(0, (clock.GetUtcNow() - o).TotalSeconds) : 0);
        MessagingMetrics.OutboxPending.Set(backlog.Pending);
    }

    private async Task ReportLagSafelyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReportLagAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database may be what is down; the next round reports again.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed ({Failures} in a row), retrying: {Reason}")]
    private static partial void LogDispatchFailed(ILogger logger, int failures, string reason);
}

/// <summary>
/// The backlog query's row. Its columns are named here, not by the context's naming convention
/// (snake_case would look for "pending"), so it reads the same from any service's context.
/// </summary>
internal sealed record OutboxBacklog([property: Column("Pending")] long Pending, [property: Column("Oldest")] DateTimeOffset? Oldest);
