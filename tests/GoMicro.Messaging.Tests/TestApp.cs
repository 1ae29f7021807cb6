using GoMicro.Events.V1;
using GoMicro.Messaging.Consuming;
using GoMicro.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GoMicro.Messaging.Tests;

/// <summary>A minimal service built on the messaging library: one table, an outbox, an inbox, one handler.</summary>
public sealed class TestDbContext(DbContextOptions<TestDbContext> options) : DbContext(options)
{
    public DbSet<HandledEvent> Handled => Set<HandledEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<HandledEvent>(e =>
        {
            e.ToTable("handled");
            e.HasKey(h => h.Id);
        });
        modelBuilder.AddOutboxAndInbox();
    }
}

public sealed class HandledEvent
{
    public Guid Id { get; set; }

    public required string ProductId { get; set; }

    public int Attempt { get; set; }
}

/// <summary>
/// Records each ProductDeleted; throws for product ids starting with "poison"; for "flaky-N-…"
/// fails as a database refusing writes does during a failover (SQLSTATE 25006) until attempt N;
/// "outage-T-U-…" fails that way T times, then unexpectedly U times.
/// </summary>
public sealed class RecordingHandler(TestDbContext db) : IIntegrationEventHandler<ProductDeleted>
{
    public Task HandleAsync(ProductDeleted message, EventContext context, CancellationToken cancellationToken)
    {
        if (message.ProductId.StartsWith("poison", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"cannot handle {message.ProductId}");
        }
        if (message.ProductId.Split('-') is ["flaky", var n, ..] && context.Attempt < int.Parse(n, System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new Npgsql.PostgresException("cannot execute INSERT in a read-only transaction", "ERROR", "ERROR", "25006");
        }
        // "outage-T-U-…": the database refuses writes for T attempts, then U attempts hit a bug.
        if (message.ProductId.Split('-') is ["outage", var t, var u, ..])
        {
            var (transient, unexpected) = (int.Parse(t, System.Globalization.CultureInfo.InvariantCulture), int.Parse(u, System.Globalization.CultureInfo.InvariantCulture));
            if (context.Attempt < transient)
            {
                throw new Npgsql.PostgresException("cannot execute INSERT in a read-only transaction", "ERROR", "ERROR", "25006");
            }
            if (context.Attempt < transient + unexpected)
            {
                throw new InvalidOperationException("a bug that a retry gets past");
            }
        }
        db.Handled.Add(new HandledEvent { Id = Guid.NewGuid(), ProductId = message.ProductId, Attempt = context.Attempt });
        return Task.CompletedTask;
    }
}

public static class TestApp
{
    public const string Consumer = "messaging-test";

    public static async Task<IHost> StartAsync(string connectionString, string amqpUri, bool consume = true)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["RabbitMq:Uri"] = amqpUri,
            ["RabbitMq:RetryDelays:0"] = "00:00:00.100",
            ["RabbitMq:RetryDelays:1"] = "00:00:00.200",
            ["RabbitMq:RetryDelays:2"] = "00:00:00.300",
            ["RabbitMq:OutboxBatchSize"] = "20",
            ["Retention:Interval"] = "00:00:00.200",
            ["Retention:BatchSize"] = "7",
        });
        builder.AddPostgresDbContext<TestDbContext>();
        builder.Services.AddSingleton(new GoMicro.Messaging.Connection.EventRoutes(new Dictionary<string, string[]>
        {
            [Consumer] = consume ? [EventTypes.NameOf<ProductDeleted>()] : [],
        }));
        var messaging = builder.AddRabbitMqMessaging(Consumer).AddOutbox<TestDbContext>().AddEfInbox<TestDbContext>();
        if (consume)
        {
            messaging.AddSubscription<ProductDeleted, RecordingHandler>();
        }
        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TestDbContext>().Database.EnsureCreatedAsync();
        }
        await host.StartAsync();
        return host;
    }
}
