using System.Text.Json;
using GoMicro.Common.V1;
using GoMicro.Products.Catalog;
using GoMicro.Products.V1;
using GoMicro.ServiceDefaults.Auth;
using GoMicro.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace GoMicro.Products.Tests;

/// <summary>The products service on its own database and vhost, trusting tokens of a test identity.</summary>
public sealed class ProductsFixture : IAsyncLifetime
{
    public PostgresDatabase Database { get; } = new();

    public RabbitMqVhost Broker { get; } = new();

    public TestIdentity Identity { get; } = new();

    public ServiceHost<ProductsGrpcService> Host { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public ProductsService.ProductsServiceClient Grpc { get; private set; } = null!;

    public EventProbe Events { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        await Broker.InitializeAsync();
        await Identity.InitializeAsync();
        Events = await EventProbe.StartAsync(Broker.Uri);
        Host = new ServiceHost<ProductsGrpcService>(Settings()).Start();
        Http = Host.CreateHttpClient();
        Channel = Host.CreateGrpcChannel();
        Grpc = new ProductsService.ProductsServiceClient(Channel);
    }

    public Dictionary<string, string?> Settings() => new(Identity.Settings())
    {
        ["ConnectionStrings:Postgres"] = Database.ConnectionString,
        ["RabbitMq:Uri"] = Broker.Uri,
        ["RabbitMq:RetryDelays:0"] = "00:00:00.200",
        ["RabbitMq:RetryDelays:1"] = "00:00:00.400",
        ["Database:MigrateOnStartup"] = "true",
        ["Products:Reservations:SweepInterval"] = "00:00:00.200",
        // Longer than production's 100 ms, so that a test's burst of reservations falls in one
        // window even on a busy test machine.
        ["Products:Reservations:AnnounceDelay"] = "00:00:00.400",
    };

    public Metadata Admin => new() { { "authorization", $"Bearer {Identity.AdminToken()}" } };

    public Metadata Customer => new() { { "authorization", $"Bearer {Identity.CustomerToken()}" } };

    /// <summary>What payments sends when it reserves stock: a new buyer's token and payments' service key.</summary>
    public Metadata Buyer => new() { { "authorization", $"Bearer {Identity.CustomerToken()}" }, { ServiceKeys.Header, Identity.PaymentsServiceKey } };

    public async Task<Product> CreateAsync(string? name = null, int stock = 10, long priceCents = 1999, string category = "test", string currency = "EUR") =>
        await Grpc.CreateProductAsync(new CreateProductRequest
        {
            Name = name ?? $"Product {Guid.NewGuid():N}",
            Description = "A test product",
            Category = category,
            Price = new Money { AmountCents = priceCents, Currency = currency },
            Stock = stock,
        }, Admin);

    public async Task<int> StockAsync(string productId) =>
        await Database.ScalarAsync<int>($"SELECT stock FROM products WHERE id = '{productId}'");

    public Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null, string? token = null) =>
        Http.SendJsonAsync(method, path, token, body);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await Host.DisposeAsync();
        await Events.DisposeAsync();
        await Identity.DisposeAsync();
        await Broker.DisposeAsync();
        await Database.DisposeAsync();
    }
}
