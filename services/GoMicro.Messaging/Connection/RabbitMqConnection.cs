using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace GoMicro.Messaging.Connection;

/// <summary>
/// The service's one AMQP connection, opened on first use. RabbitMQ.Client recovers a lost
/// connection, its channels and consumers by itself; this class only retries the first
/// connect (a broker still starting) and hands out channels.
/// </summary>
public sealed class RabbitMqConnection(IOptions<RabbitMqOptions> options, ServiceIdentity service) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public RabbitMqOptions Options => options.Value;

    public bool IsOpen => _connection?.IsOpen == true;

    public async Task<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } existing)
        {
            return existing;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is null)
            {
                var factory = new ConnectionFactory
                {
                    Uri = new Uri(options.Value.Uri),
                    ClientProvidedName = service.Name,
                    AutomaticRecoveryEnabled = true,
                    TopologyRecoveryEnabled = true,
                    NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
                    RequestedHeartbeat = TimeSpan.FromSeconds(10),
                    RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
                    ConsumerDispatchConcurrency = options.Value.ConsumerConcurrency,
                };
                _connection = await factory.CreateConnectionAsync(cancellationToken);
            }
            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A channel whose publishes complete only when the broker has confirmed them.</summary>
    public async Task<IChannel> CreateConfirmedChannelAsync(CancellationToken cancellationToken)
    {
        var connection = await GetAsync(cancellationToken);
        return await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        _gate.Dispose();
    }
}

/// <summary>The name of the running service: the consumer queue prefix and connection name.</summary>
public sealed record ServiceIdentity(string Name);
