using System.Globalization;
using System.Text.Json;
using GoMicro.Basket.Items;
using GoMicro.Basket.V1;
using GoMicro.Common.V1;
using GoMicro.Products.Catalog;
using GoMicro.Products.V1;
using GoMicro.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace GoMicro.Basket.Tests;

/// <summary>
/// Basket with the real products service in-process, both on real PostgreSQL, Redis and
/// RabbitMQ. Basket reaches products' gRPC port and Redis through proxies a test can cut.
/// </summary>
public sealed class BasketFixture : IAsyncLifetime
{
    public TestIdentity Identity { get; } = new();

    public PostgresDatabase ProductsDatabase { get; } = new();

    public RabbitMqVhost Broker { get; } = new();

    public RedisDatabase Redis { get; } = new();

    public ServiceHost<ProductsGrpcService> Products { get; private set; } = null!;

    public ServiceHost<BasketGrpcService> Basket { get; private set; } = null!;

    public TcpProxy ProductsProxy { get; private set; } = null!;

    public TcpProxy RedisProxy { get; private set; } = null!;

    public EventProbe Events { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public BasketService.BasketServiceClient Grpc { get; private set; } = null!;

    public ProductsService.ProductsServiceClient ProductsGrpc { get; private set; } = null!;

    private readonly List<IDisposable> _disposables = [];

    public TimeSpan IdleExpiry { get; } = TimeSpan.FromMinutes(10);

    public async ValueTask InitializeAsync()
    {
        await Identity.InitializeAsync();
        await ProductsDatabase.InitializeAsync();
        await Broker.InitializeAsync();
        await Redis.InitializeAsync();
        Events = await EventProbe.StartAsync(Broker.Uri);

        Products = new ServiceHost<ProductsGrpcService>(new Dictionary<string, string?>(Identity.Settings())
        {
            ["ConnectionStrings:Postgres"] = ProductsDatabase.ConnectionString,
            ["RabbitMq:Uri"] = Broker.Uri,
            ["Database:MigrateOnStartup"] = "true",
        }).Start();
        ProductsProxy = new TcpProxy("127.0.0.1", Products.GrpcPort);

        var redisServer = await TestDependencies.RedisAsync();
        var redisEndpoint = redisServer.Split(',')[0].Split(':');
        RedisProxy = new TcpProxy(redisEndpoint[0], int.Parse(redisEndpoint[1], CultureInfo.InvariantCulture));

        Basket = new ServiceHost<BasketGrpcService>(new Dictionary<string, string?>(Identity.Settings())
        {
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{RedisProxy.Port},defaultDatabase={Redis.Number}",
            ["RabbitMq:Uri"] = Broker.Uri,
            ["Services:Products:Grpc"] = $"http://127.0.0.1:{ProductsProxy.Port}",
            ["Services:Products:Resilience:CircuitBreaker:BreakDuration"] = "00:00:01",
            ["Basket:IdleExpiry"] = IdleExpiry.ToString(),
        }).Start();
        Http = Basket.CreateHttpClient();
        var basketChannel = Basket.CreateGrpcChannel();
        var productsChannel = Products.CreateGrpcChannel();
        _disposables.Add(basketChannel);
        _disposables.Add(productsChannel);
        Grpc = new BasketService.BasketServiceClient(basketChannel);
        ProductsGrpc = new ProductsService.ProductsServiceClient(productsChannel);
        await WarmUpAsync();
    }

    /// <summary>
    /// One basket write end to end before the tests, so that what they measure (sub-second
    /// answers) is the service, not the first-call JIT and connection set-up of two fresh hosts
    /// on a busy machine.
    /// </summary>
    private async Task WarmUpAsync()
    {
        var product = await CreateProductAsync();
        var (_, _, auth) = NewCustomer();
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                await Grpc.SetItemAsync(new SetItemRequest { ProductId = product.Id, Quantity = 1 }, auth);
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        }, seconds: 30, what: "basket warm-up");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _disposables.ForEach(d => d.Dispose());
        await Basket.DisposeAsync();
        await Products.DisposeAsync();
        await ProductsProxy.DisposeAsync();
        await RedisProxy.DisposeAsync();
        await Events.DisposeAsync();
        await Redis.DisposeAsync();
        await Broker.DisposeAsync();
        await ProductsDatabase.DisposeAsync();
        await Identity.DisposeAsync();
    }

    public async Task<Product> CreateProductAsync(int stock = 10, long priceCents = 1000, string? name = null) =>
        await ProductsGrpc.CreateProductAsync(new CreateProductRequest
        {
            Name = name ?? $"Product {Guid.NewGuid():N}",
            Price = new Money { AmountCents = priceCents, Currency = "EUR" },
            Stock = stock,
        }, new Metadata { { "authorization", $"Bearer {Identity.AdminToken()}" } });

    /// <summary>A customer: their id, token and gRPC metadata.</summary>
    public (Guid Id, string Token, Metadata Auth) NewCustomer()
    {
        var id = Guid.NewGuid();
        var token = Identity.Token(id, "customer");
        return (id, token, new Metadata { { "authorization", $"Bearer {token}" } });
    }

    public Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpMethod method, string path, string? token, object? body = null) =>
        Http.SendJsonAsync(method, path, token, body);
}
