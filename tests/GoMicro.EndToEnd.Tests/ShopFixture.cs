using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using GoMicro.Basket.Items;
using GoMicro.Payments.Checkout;
using GoMicro.Products.Catalog;
using GoMicro.Testing;
using GoMicro.Users.Accounts;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// The whole backend in-process: users, products, basket and payments, each on its own real
/// ports and its own database (PostgreSQL ×3, Redis), sharing a RabbitMQ vhost that they
/// reach through a proxy the tests can cut. Tests talk to the services only over HTTP/JSON,
/// as a client behind the gateway would.
/// </summary>
public sealed class ShopFixture : IAsyncLifetime
{
    public const string Issuer = "gomicro-users-e2e";
    public const string Audience = "gomicro-e2e";
    public const string AdminEmail = "admin@shop.test";
    public const string AdminPassword = "admin-password-1";

    /// <summary>The key payments presents to products (ServiceKeys:Payments).</summary>
    public string PaymentsServiceKey { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private readonly string _keyDirectory = Directory.CreateTempSubdirectory("gomicro-e2e-").FullName;
    private readonly List<IAsyncDisposable> _hosts = [];

    public PostgresDatabase UsersDb { get; } = new();

    public PostgresDatabase ProductsDb { get; } = new();

    public PostgresDatabase PaymentsDb { get; } = new();

    public RedisDatabase Redis { get; } = new();

    public RabbitMqVhost Broker { get; } = new();

    public TcpProxy BrokerProxy { get; private set; } = null!;

    public EventProbe Events { get; private set; } = null!;

    /// <summary>Each running service's container, by its gateway host name.</summary>
    public Dictionary<string, IServiceProvider> ServiceProviders { get; } = [];

    /// <summary>While this file exists the payment provider is down (the test processor's outage switch).</summary>
    public string ProviderOutageFile => Path.Combine(_keyDirectory, "provider-down");

    /// <summary>The users service's private signing key, for tests that forge tokens with it.</summary>
    public string SigningKeyPath => Path.Combine(_keyDirectory, "jwt.pem");

    public void ProviderDown() => File.WriteAllText(ProviderOutageFile, "down");

    public void ProviderUp() => File.Delete(ProviderOutageFile);

    /// <summary>Each service's gRPC endpoint (h2c), by name.</summary>
    public Dictionary<string, Grpc.Net.Client.GrpcChannel> Channels { get; } = [];

    public HttpClient ClientFor(string service) => service switch
    {
        "users" => Users,
        "products" => Products,
        "basket" => Basket,
        "payments" => Payments,
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };

    public HttpClient Users { get; private set; } = null!;

    public HttpClient Products { get; private set; } = null!;

    public HttpClient Basket { get; private set; } = null!;

    public HttpClient Payments { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Task.WhenAll(UsersDb.InitializeAsync().AsTask(), ProductsDb.InitializeAsync().AsTask(), PaymentsDb.InitializeAsync().AsTask(),
            Redis.InitializeAsync().AsTask(), Broker.InitializeAsync().AsTask());
        Events = await EventProbe.StartAsync(Broker.Uri);
        var broker = new Uri(Broker.Uri);
        BrokerProxy = new TcpProxy(broker.Host, broker.Port);
        var amqp = new UriBuilder(broker) { Port = BrokerProxy.Port }.Uri.ToString();

        var keyPath = SigningKeyPath;
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        }
        var jwt = new Dictionary<string, string?> { ["Jwt:Issuer"] = Issuer, ["Jwt:Audience"] = Audience };
        var paymentsKey = new Dictionary<string, string?> { ["ServiceKeys:Payments"] = PaymentsServiceKey };

        var users = Start<UsersGrpcService>(new(jwt)
        {
            ["ConnectionStrings:Postgres"] = UsersDb.ConnectionString,
            ["Database:MigrateOnStartup"] = "true",
            ["Jwt:SigningKeyPath"] = keyPath,
            ["Admin:Email"] = AdminEmail,
            ["Admin:Password"] = AdminPassword,
        });
        jwt["Jwt:JwksUrl"] = new Uri(users.HttpAddress, "/.well-known/jwks.json").ToString();
        var retries = new Dictionary<string, string?> { ["RabbitMq:RetryDelays:0"] = "00:00:00.200", ["RabbitMq:RetryDelays:1"] = "00:00:00.500" };

        var products = Start<ProductsGrpcService>(new(jwt.Concat(retries).Concat(paymentsKey))
        {
            ["ConnectionStrings:Postgres"] = ProductsDb.ConnectionString,
            ["Database:MigrateOnStartup"] = "true",
            ["RabbitMq:Uri"] = amqp,
        });
        var basket = Start<BasketGrpcService>(new(jwt.Concat(retries))
        {
            // Basket's sub-second budgets towards Redis and products are for production, where a
            // half-second stall is an outage; here every test host shares 2 cores with the other
            // test assemblies, and a stall is CPU contention. The outage behaviour has its own tests.
            ["ConnectionStrings:Redis"] = Redis.ConfigurationString + ",asyncTimeout=5000,syncTimeout=5000",
            ["RabbitMq:Uri"] = amqp,
            ["Services:Products:Grpc"] = products.GrpcAddress.ToString(),
            ["Services:Products:Resilience:TotalRequestTimeout:Timeout"] = "00:00:05",
            ["Services:Products:Resilience:AttemptTimeout:Timeout"] = "00:00:02",
        });
        var payments = Start<PaymentsGrpcService>(new(jwt.Concat(retries).Concat(paymentsKey))
        {
            ["ConnectionStrings:Postgres"] = PaymentsDb.ConnectionString,
            ["Database:MigrateOnStartup"] = "true",
            ["RabbitMq:Uri"] = amqp,
            ["Services:Products:Grpc"] = products.GrpcAddress.ToString(),
            ["Services:Basket:Grpc"] = basket.GrpcAddress.ToString(),
            ["Payments:Recovery:StaleAfter"] = "00:00:20",
            ["Payments:Recovery:Interval"] = "00:00:01",
            ["Payments:TestProcessor:OutageFile"] = ProviderOutageFile,
        });
        (Users, Products, Basket, Payments) = (users.CreateHttpClient(), products.CreateHttpClient(), basket.CreateHttpClient(), payments.CreateHttpClient());
        (Channels["users"], Channels["products"], Channels["basket"], Channels["payments"]) =
            (users.CreateGrpcChannel(), products.CreateGrpcChannel(), basket.CreateGrpcChannel(), payments.CreateGrpcChannel());
        ServiceProviders["users"] = users.Services;
        ServiceProviders["products"] = products.Services;
        ServiceProviders["basket"] = basket.Services;
        ServiceProviders["payments"] = payments.Services;
        await WarmUpAsync();
    }

    /// <summary>
    /// One purchase before the tests, as a client would make it after a deploy: a 503 while
    /// four fresh hosts JIT and connect is retried with the same Idempotency-Key (safe by
    /// design). The tests then measure the services, not the first-call warm-up.
    /// </summary>
    private async Task WarmUpAsync()
    {
        var (_, token) = await NewCustomerAsync();
        var product = await CreateProductAsync(stock: 1);
        await AddToBasketAsync(token, product, 1);
        var key = Guid.NewGuid().ToString();
        await Eventually.UntilAsync(async () => (await CheckoutAsync(token, key)).Response.StatusCode == HttpStatusCode.OK, seconds: 60, what: "warm-up checkout");
    }

    private ServiceHost<T> Start<T>(Dictionary<string, string?> settings) where T : class
    {
        var host = new ServiceHost<T>(settings).Start();
        _hosts.Add(host);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in new[] { Users, Products, Basket, Payments })
        {
            client?.Dispose();
        }
        foreach (var channel in Channels.Values)
        {
            channel.Dispose();
        }
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }
        await BrokerProxy.DisposeAsync();
        await Events.DisposeAsync();
        await Task.WhenAll(UsersDb.DisposeAsync().AsTask(), ProductsDb.DisposeAsync().AsTask(), PaymentsDb.DisposeAsync().AsTask(),
            Redis.DisposeAsync().AsTask(), Broker.DisposeAsync().AsTask());
        Directory.Delete(_keyDirectory, recursive: true);
    }

    // --- A client's journey, over HTTP/JSON ---

    public async Task<(string Id, string Token)> NewCustomerAsync()
    {
        var email = $"buyer-{Guid.NewGuid():N}@example.com";
        var (registered, user) = await SendAsync(Users, HttpMethod.Post, "/users", null, new { email, password = "s3cret-pass", displayName = "Buyer" });
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        return (user.GetProperty("id").GetString()!, await LoginAsync(email, "s3cret-pass"));
    }

    public Task<string> AdminTokenAsync() => LoginAsync(AdminEmail, AdminPassword);

    private async Task<string> LoginAsync(string email, string password)
    {
        var (response, login) = await SendAsync(Users, HttpMethod.Post, "/users/login", null, new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return login.GetProperty("accessToken").GetString()!;
    }

    public async Task<string> CreateProductAsync(int stock, long priceCents = 2500)
    {
        var (response, product) = await SendAsync(Products, HttpMethod.Post, "/products", await AdminTokenAsync(),
            new { name = $"E2E {Guid.NewGuid():N}", price = new { amountCents = priceCents, currency = "EUR" }, stock });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return product.GetProperty("id").GetString()!;
    }

    public async Task<int> StockAsync(string productId) =>
        (await SendAsync(Products, HttpMethod.Get, $"/products/{productId}", null)).Body.GetProperty("stock").GetInt32();

    public async Task AddToBasketAsync(string token, string productId, int quantity)
    {
        var (response, _) = await SendAsync(Basket, HttpMethod.Post, "/basket", token, new { productId, quantity });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async Task<int> BasketLinesAsync(string token)
    {
        var (response, basket) = await SendAsync(Basket, HttpMethod.Get, "/basket", token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /basket answered {(int)response.StatusCode}: {basket}");
        return basket.TryGetProperty("lines", out var lines) ? lines.GetArrayLength() : 0;
    }

    public Task<(HttpResponseMessage Response, JsonElement Body)> CheckoutAsync(string token, string idempotencyKey, string card = "tok_visa") =>
        Payments.SendJsonAsync(HttpMethod.Post, "/payments", token, new { paymentMethod = card }, new Dictionary<string, string> { ["Idempotency-Key"] = idempotencyKey });

    public async Task<string> PaymentStatusAsync(string token, string paymentId)
    {
        var (response, payment) = await SendAsync(Payments, HttpMethod.Get, $"/payments/{paymentId}", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return payment.GetProperty("status").GetString()!;
    }

    public static Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? token, object? body = null) =>
        client.SendJsonAsync(method, path, token, body);
}
