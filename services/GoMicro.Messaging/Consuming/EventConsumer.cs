using System.Diagnostics;
using System.Globalization;
using System.Text;
using GoMicro.Messaging.Connection;
using GoMicro.Messaging.Inbox;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace GoMicro.Messaging.Consuming;

/// <summary>
/// Consumes the service's queue with manual acks and a bounded prefetch. Each message is
/// handled once through the inbox, then acknowledged. When the handler throws, a copy goes
/// to a retry queue (published with confirms before the original is acked, so nothing is lost
/// in between), and the queue keeps moving. What happens next depends on the failure
/// (<see cref="FailureClassifier"/>): a dependency that is unavailable is waited out for as
/// long as it lasts, at the longest retry delay; a message that can never succeed goes to the
/// dead-letter queue at once; anything else goes there after the last retry delay.
/// </summary>
public sealed partial class EventConsumer(
    IServiceScopeFactory scopes,
    RabbitMqConnection connection,
    EventSubscriptions subscriptions,
    EventRoutes routes,
    FailureClassifier failures,
    ServiceIdentity service,
    ILogger<EventConsumer> logger) : BackgroundService
{
    private static readonly ActivitySource Source = new("GoMicro.Messaging");
    private static readonly TimeSpan StartupWait = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _publishGate = new(1, 1);
    private readonly TaskCompletionSource _consuming = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IChannel? _channel;
    private int _forwardFailures;

    /// <summary>True once the queue is declared, bound and consumed (recovery keeps it so).</summary>
    public bool IsConsuming => _consuming.Task.IsCompleted && _channel?.IsOpen == true;

    /// <summary>
    /// Lets start-up wait (briefly) for the queue and its bindings to exist, so a service that
    /// reports itself started also receives the events published from then on. When the broker
    /// is down the service starts anyway and keeps trying; readiness says it is not consuming.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var routed = routes.For(Consumer);
        if (!subscriptions.EventTypes.ToHashSet().SetEquals(routed))
        {
            // The topology has one source: a handler nobody routes events to would never run.
            throw new InvalidOperationException(
                $"{Consumer} handles [{string.Join(", ", subscriptions.EventTypes.Order())}] but EventRoutes routes [{string.Join(", ", routed.Order())}] to it: change both together.");
        }
        await base.StartAsync(cancellationToken);
        await Task.WhenAny(_consuming.Task, Task.Delay(StartupWait, cancellationToken));
    }

    private string Consumer => service.Name;

    /// <summary>
    /// Declares, binds and consumes the queue, retrying while the broker is unreachable for as
    /// long as it lasts (capped exponential back-off with jitter). Once consuming, RabbitMQ.Client
    /// recovers the connection, channel and consumer by itself.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var untilConsuming = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(_ => !stoppingToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxDelay = TimeSpan.FromSeconds(10),
                OnRetry = args =>
                {
                    LogConnectFailed(logger, args.AttemptNumber + 1, args.Outcome.Exception?.GetBaseException().Message ?? "");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        try
        {
            await untilConsuming.ExecuteAsync(ConsumeAsync, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before the broker could be reached.
        }

        async ValueTask ConsumeAsync(CancellationToken cancellationToken)
        {
            await Topology.DeclareConsumerAsync(await connection.GetAsync(cancellationToken), connection.Options, routes, Consumer, logger, cancellationToken);
            var channel = await connection.CreateConfirmedChannelAsync(cancellationToken);
            await channel.BasicQosAsync(0, connection.Options.Prefetch, global: false, cancellationToken);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) => OnReceivedAsync(channel, delivery, stoppingToken);
            await channel.BasicConsumeAsync(Topology.Queue(Consumer), autoAck: false, consumer, cancellationToken);
            _channel = channel;
            _consuming.TrySetResult();
            LogConsuming(logger, Topology.Queue(Consumer));
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_channel is not null)
        {
            await _channel.CloseAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _channel.Dispose();
        }
    }

    private async Task OnReceivedAsync(IChannel channel, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        var properties = delivery.BasicProperties;
        var type = properties.Type ?? "";
        var attempt = HeaderInt(properties, MessageHeaders.Attempt);
        using var activity = MessagingTracing.StartContinuing(Source, $"{type} process", ActivityKind.Consumer, HeaderString(properties, MessageHeaders.TraceParent));

        if (!Guid.TryParse(properties.MessageId, out var messageId) || !subscriptions.TryGet(type, out var handler))
        {
            await DeadLetterAsync(channel, delivery, attempt, $"no message id, or a type this consumer does not handle: '{type}'", stoppingToken);
            return;
        }

        var context = new EventContext(messageId, type, properties.CorrelationId, attempt);
        EventContext.Current = context;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var inbox = scope.ServiceProvider.GetRequiredService<IInbox>();
            var handled = await inbox.HandleOnceAsync(context, Consumer,
                token => handler(scope.ServiceProvider, delivery.Body, context, token), stoppingToken);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, stoppingToken);
            MessagingMetrics.Consumed.WithLabels(type, handled ? "handled" : "duplicate").Inc();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the unacked message is redelivered to another consumer or on restart.
        }
        catch (Exception ex)
        {
            await HandleFailureAsync(channel, delivery, type, messageId, attempt, ex, stoppingToken);
        }
        finally
        {
            EventContext.Current = null;
        }
    }

    private async Task HandleFailureAsync(IChannel channel, BasicDeliverEventArgs delivery, string type, Guid messageId, int attempt, Exception ex, CancellationToken cancellationToken)
    {
        var error = ex.GetBaseException().Message;
        var delays = connection.Options.EffectiveRetryDelays;
        switch (failures.Classify(ex))
        {
            case FailureKind.Permanent:
                await DeadLetterAsync(channel, delivery, attempt, error, cancellationToken);
                return;
            case FailureKind.Transient:
                // No budget: a dependency that is down for an hour is waited out for an hour.
                LogDependencyUnavailable(logger, type, messageId, attempt + 1, delays[Math.Min(attempt, delays.Count - 1)], error);
                await ForwardAsync(channel, delivery, Topology.RetryQueue(Consumer, Math.Min(attempt + 1, delays.Count)), attempt + 1, error, cancellationToken);
                MessagingMetrics.Retried.WithLabels(type, "transient").Inc();
                return;
            default:
                LogHandlerFailed(logger, type, messageId, attempt + 1, ex);
                var unexpected = HeaderInt(delivery.BasicProperties, MessageHeaders.UnexpectedFailures) + 1;
                if (unexpected > delays.Count)
                {
                    await DeadLetterAsync(channel, delivery, attempt, error, cancellationToken);
                    return;
                }
                await ForwardAsync(channel, delivery, Topology.RetryQueue(Consumer, unexpected), attempt + 1, error, cancellationToken, unexpected);
                MessagingMetrics.Retried.WithLabels(type, "unknown").Inc();
                return;
        }
    }

    private async Task DeadLetterAsync(IChannel channel, BasicDeliverEventArgs delivery, int attempt, string error, CancellationToken cancellationToken)
    {
        LogDeadLettered(logger, delivery.BasicProperties.Type, delivery.BasicProperties.MessageId, error);
        await ForwardAsync(channel, delivery, Topology.DeadLetterQueue(Consumer), attempt, error, cancellationToken);
        MessagingMetrics.DeadLettered.WithLabels(delivery.BasicProperties.Type ?? "").Inc();
    }

    /// <summary>Publishes a copy to <paramref name="queue"/> and, once the broker confirms it, acks the original.</summary>
    private async Task ForwardAsync(IChannel channel, BasicDeliverEventArgs delivery, string queue, int attempt, string error, CancellationToken cancellationToken, int? unexpectedFailures = null)
    {
        var properties = new BasicProperties(delivery.BasicProperties)
        {
            DeliveryMode = DeliveryModes.Persistent,
            Headers = new Dictionary<string, object?>(delivery.BasicProperties.Headers ?? new Dictionary<string, object?>())
            {
                [MessageHeaders.Attempt] = attempt,
                [MessageHeaders.LastError] = Encoding.UTF8.GetBytes(error.Length > 500 ? error[..500] : error),
            },
        };
        if (unexpectedFailures is { } count)
        {
            properties.Headers[MessageHeaders.UnexpectedFailures] = count;
        }
        try
        {
            await _publishGate.WaitAsync(cancellationToken);
            try
            {
                await channel.BasicPublishAsync("", queue, mandatory: true, properties, delivery.Body.ToArray(), cancellationToken);
            }
            finally
            {
                _publishGate.Release();
            }
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, cancellationToken);
            Interlocked.Exchange(ref _forwardFailures, 0);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Could not park it: put it back on the queue rather than lose it, but not at once,
            // or a broker refusing publishes would see the same message again and again at full
            // speed. Each return counts towards the queue's delivery limit.
            var failuresInARow = Interlocked.Increment(ref _forwardFailures);
            LogForwardFailed(logger, queue, failuresInARow, ex.GetBaseException().Message);
            await Task.Delay(Backoff.Capped(failuresInARow), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, cancellationToken)
                .AsTask().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static int HeaderInt(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers?.TryGetValue(name, out var value) == true
            ? value switch
            {
                int i => i,
                long l => (int)l,
                byte[] b when int.TryParse(Encoding.UTF8.GetString(b), CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => 0,
            }
            : 0;

    private static string? HeaderString(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers?.TryGetValue(name, out var value) == true && value is byte[] bytes && bytes.Length > 0 ? Encoding.UTF8.GetString(bytes) : null;

    public override void Dispose()
    {
        _publishGate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Queue}")]
    private static partial void LogConsuming(ILogger logger, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot start consuming yet ({Failures} attempts): {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, int failures, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler for {Type} {MessageId} failed (attempt {Attempt})")]
    private static partial void LogHandlerFailed(ILogger logger, string type, Guid messageId, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dead-lettered {Type} {MessageId}: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string? type, string? messageId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not move a message to {Queue} ({Failures} in a row), requeued it: {Reason}")]
    private static partial void LogForwardFailed(ILogger logger, string queue, int failures, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handler for {Type} {MessageId} waits for a dependency (attempt {Attempt}, next in {Delay}); retried for as long as it is unavailable: {Reason}")]
    private static partial void LogDependencyUnavailable(ILogger logger, string type, Guid messageId, int attempt, TimeSpan delay, string reason);
}
