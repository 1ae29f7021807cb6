using GoMicro.Testing;

namespace GoMicro.Messaging.Tests;

public sealed class MessagingFixture : IAsyncLifetime
{
    public PostgresDatabase Database { get; } = new();

    public RabbitMqVhost Broker { get; } = new();

    public EventProbe Events { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        await Broker.InitializeAsync();
        Events = await EventProbe.StartAsync(Broker.Uri);
    }

    public async ValueTask DisposeAsync()
    {
        await Events.DisposeAsync();
        await Broker.DisposeAsync();
        await Database.DisposeAsync();
    }
}
