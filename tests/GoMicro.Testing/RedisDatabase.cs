using StackExchange.Redis;
using Xunit;

namespace GoMicro.Testing;

/// <summary>
/// A Redis logical database of its own for one test class, emptied first. Numbers 1..63 are
/// handed out round-robin through a counter in database 0 (the servers run with 64 databases).
/// </summary>
public sealed class RedisDatabase : IAsyncLifetime
{
    private const int Databases = 64;
    private ConnectionMultiplexer? _connection;

    public int Number { get; private set; }

    /// <summary>A StackExchange.Redis configuration string selecting this database.</summary>
    public string ConfigurationString { get; private set; } = "";

    public IDatabase Database => _connection!.GetDatabase(Number);

    public async ValueTask InitializeAsync()
    {
        var server = await TestDependencies.RedisAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(server + ",allowAdmin=true");
        var next = await _connection.GetDatabase(0).StringIncrementAsync("gomicro:test:next-database");
        Number = (int)(next % (Databases - 1)) + 1;
        await _connection.GetServers()[0].FlushDatabaseAsync(Number);
        ConfigurationString = $"{server},defaultDatabase={Number}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
