using System.Net;
using GoMicro.Products.Catalog;
using GoMicro.ServiceDefaults.Data;
using GoMicro.Testing;
using Npgsql;

namespace GoMicro.Products.Tests;

/// <summary>
/// Several replicas of products starting at once against one fresh database, as a
/// Deployment with replicas: 2 (or an autoscaler) starts them: the schema is migrated once,
/// the sample catalog is seeded once, and every replica becomes ready.
/// </summary>
public sealed class ReplicaStartupTests : IAsyncLifetime
{
    private readonly PostgresDatabase _database = new();
    private readonly PostgresDatabase _notYetCreated = PostgresDatabase.NotYetCreated();
    private readonly RabbitMqVhost _broker = new();
    private readonly TestIdentity _identity = new();
    private readonly List<ServiceHost<ProductsGrpcService>> _hosts = [];

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        await _notYetCreated.InitializeAsync();
        await _broker.InitializeAsync();
        await _identity.InitializeAsync();
    }

    private Dictionary<string, string?> Settings(PostgresDatabase database) => new(_identity.Settings())
    {
        ["ConnectionStrings:Postgres"] = database.ConnectionString,
        ["RabbitMq:Uri"] = _broker.Uri,
        ["Database:MigrateOnStartup"] = "true",
        ["Products:SeedSampleData"] = "true",
    };

    private Task<ServiceHost<ProductsGrpcService>> StartReplicaAsync(PostgresDatabase? database = null) => Task.Run(() =>
    {
        var host = new ServiceHost<ProductsGrpcService>(Settings(database ?? _database));
        lock (_hosts)
        {
            _hosts.Add(host);
        }
        return host.Start();
    });

    private static async Task AssertReadyAsync(ServiceHost<ProductsGrpcService> host)
    {
        using var http = host.CreateHttpClient();
        await Eventually.UntilAsync(async () => (await http.GetAsync("/healthz/ready")).StatusCode == HttpStatusCode.OK, 30, "replica ready");
    }

    [Fact]
    public async Task Replicas_starting_together_on_a_fresh_database_migrate_and_seed_it_once_and_all_become_ready()
    {
        var replicas = await Task.WhenAll(StartReplicaAsync(), StartReplicaAsync(), StartReplicaAsync());

        foreach (var replica in replicas)
        {
            await AssertReadyAsync(replica);
        }
        var products = await _database.ScalarAsync<long>("SELECT count(*) FROM products");
        Assert.Equal(products, await _database.ScalarAsync<long>("SELECT count(DISTINCT name) FROM products"));
        Assert.Equal(20, products);
        // Announced once each, too: one ProductCreated per product in the outbox.
        Assert.Equal(products, await _database.ScalarAsync<long>("SELECT count(*) FROM outbox_messages"));
        Assert.Equal(await _database.ScalarAsync<long>("SELECT count(DISTINCT \"MigrationId\") FROM \"__EFMigrationsHistory\""),
            await _database.ScalarAsync<long>("SELECT count(*) FROM \"__EFMigrationsHistory\""));
    }

    [Fact]
    public async Task Replicas_starting_together_on_a_server_without_their_database_create_it_and_all_become_ready()
    {
        // As under docker-compose, or a PostgreSQL the shop was only given credentials for:
        // nobody made the service's database beforehand.
        var replicas = await Task.WhenAll(StartReplicaAsync(_notYetCreated), StartReplicaAsync(_notYetCreated));

        foreach (var replica in replicas)
        {
            await AssertReadyAsync(replica);
        }
        Assert.Equal(20, await _notYetCreated.ScalarAsync<long>("SELECT count(*) FROM products"));
    }

    [Fact]
    public async Task A_replica_waits_for_the_start_up_lock_another_replica_holds_and_then_finds_its_work_done()
    {
        // Another replica (another process) in the middle of migrating: it holds the start-up lock.
        await using var other = new NpgsqlConnection(_database.ConnectionString);
        await other.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({StartupLock.Key})", other))
        {
            await take.ExecuteNonQueryAsync();
        }

        var starting = StartReplicaAsync();
        // The replica is waiting for the lock: PostgreSQL shows its request, not granted.
        await Eventually.UntilAsync(async () => await _database.ScalarAsync<long>(
            $"SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = '{_database.Name}'") == 1,
            30, "the replica waits for the start-up lock");

        Assert.False(starting.IsCompleted, "the replica started while another held the start-up lock");
        Assert.Null(await _database.ScalarAsync<string>("SELECT to_regclass('\"__EFMigrationsHistory\"')::text"));
        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({StartupLock.Key})", other))
        {
            await release.ExecuteNonQueryAsync();
        }
        var replica = await starting.WaitAsync(TimeSpan.FromMinutes(2));
        await AssertReadyAsync(replica);
        Assert.Equal(20, await _database.ScalarAsync<long>("SELECT count(*) FROM products"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
        await _identity.DisposeAsync();
        await _broker.DisposeAsync();
        await _notYetCreated.DisposeAsync();
        await _database.DisposeAsync();
    }
}
