using System.Security.Cryptography;
using System.Text.Json;
using GoMicro.Testing;
using GoMicro.Users.Accounts;
using GoMicro.Users.V1;
using Grpc.Net.Client;

namespace GoMicro.Users.Tests;

/// <summary>
/// The users service on a fresh database of its own, signing with a PEM key from a file as in
/// production, with a bootstrap admin and low login-throttle limits. 127.0.0.1 is a trusted
/// proxy, so a test plays a client at another address by sending X-Forwarded-For.
/// </summary>
public sealed class UsersFixture : IAsyncLifetime
{
    public const string Issuer = "gomicro-users-test";
    public const string Audience = "gomicro-test";
    public const string AdminEmail = "admin@gomicro.test";
    public const string AdminPassword = "admin-password-1";
    public const int MaxLoginFailures = 3;
    public const int AccountMaxClients = 3;
    public static readonly TimeSpan AccountLockout = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan AccountMaxLockout = TimeSpan.FromSeconds(6);

    private readonly string _keyDirectory = Directory.CreateTempSubdirectory("gomicro-users-").FullName;

    public PostgresDatabase Database { get; } = new();

    public ServiceHost<UsersGrpcService> Host { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public UsersService.UsersServiceClient Grpc { get; private set; } = null!;

    /// <summary>The private key the service signs with, for tests that forge tokens with it.</summary>
    public ECDsa SigningKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string KeyPath => Path.Combine(_keyDirectory, "signing-key.pem");

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        await File.WriteAllTextAsync(KeyPath, SigningKey.ExportPkcs8PrivateKeyPem());
        StartHost();
    }

    public Dictionary<string, string?> Settings() => new()
    {
        ["ConnectionStrings:Postgres"] = Database.ConnectionString,
        ["Database:MigrateOnStartup"] = "true",
        ["Jwt:Issuer"] = Issuer,
        ["Jwt:Audience"] = Audience,
        ["Jwt:SigningKeyPath"] = KeyPath,
        ["Admin:Email"] = AdminEmail,
        ["Admin:Password"] = AdminPassword,
        ["Login:MaxFailures"] = MaxLoginFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Login:Lockout"] = "00:01:00",
        ["Login:MaxLockout"] = "00:05:00",
        ["Login:AccountMaxClients"] = AccountMaxClients.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Login:AccountLockout"] = AccountLockout.ToString(),
        ["Login:AccountMaxLockout"] = AccountMaxLockout.ToString(),
        ["Network:TrustedProxies"] = "127.0.0.1",
        ["Retention:Interval"] = "00:00:00.200",
    };

    /// <summary>Stops the running service and starts a new process-like instance on the same database.</summary>
    public async Task RestartAsync()
    {
        await StopHostAsync();
        StartHost();
    }

    public async ValueTask DisposeAsync()
    {
        await StopHostAsync();
        await Database.DisposeAsync();
        SigningKey.Dispose();
        Directory.Delete(_keyDirectory, recursive: true);
    }

    private void StartHost()
    {
        Host = new ServiceHost<UsersGrpcService>(Settings()).Start();
        Http = Host.CreateHttpClient();
        Channel = Host.CreateGrpcChannel();
        Grpc = new UsersService.UsersServiceClient(Channel);
    }

    private async Task StopHostAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await Host.DisposeAsync();
    }

    // --- Helpers shared by the test classes ---

    public static string UniqueEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    public async Task<User> RegisterAsync(string email, string password = "correct-horse-1", string displayName = "Test User") =>
        await Grpc.RegisterAsync(new RegisterRequest { Email = email, Password = password, DisplayName = displayName });

    public async Task<string> LoginAsync(string email, string password = "correct-horse-1") =>
        (await Grpc.LoginAsync(new LoginRequest { Email = email, Password = password })).AccessToken;

    /// <summary>A login over gRPC as a client at <paramref name="from"/> behind the trusted proxy.</summary>
    public async Task<string> LoginFromAsync(string from, string email, string password = "correct-horse-1") =>
        (await Grpc.LoginAsync(new LoginRequest { Email = email, Password = password }, From(from))).AccessToken;

    /// <summary>A login over HTTP/JSON as a client at <paramref name="from"/> behind the trusted proxy.</summary>
    public Task<(HttpResponseMessage Response, JsonElement Body)> PostLoginFromAsync(string from, string email, string password) =>
        Http.SendJsonAsync(HttpMethod.Post, "/users/login", body: new { email, password }, headers: new Dictionary<string, string> { ["X-Forwarded-For"] = from });

    /// <summary>What the trusted proxy adds for a client at <paramref name="address"/>.</summary>
    public static Grpc.Core.Metadata From(string address) => new() { { "x-forwarded-for", address } };

    public async Task<string> NewCustomerTokenAsync()
    {
        var email = UniqueEmail();
        await RegisterAsync(email);
        return await LoginAsync(email);
    }

    public Task<(HttpResponseMessage Response, JsonElement Body)> PostJsonAsync(string path, object body, string? token = null) =>
        Http.SendJsonAsync(HttpMethod.Post, path, token, body);

    public Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpRequestMessage request, string? token = null)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        return Http.SendAsync(request).ParseAsync();
    }

    public Task<(HttpResponseMessage Response, JsonElement Body)> GetJsonAsync(string path, string? token = null) =>
        Http.SendJsonAsync(HttpMethod.Get, path, token);
}
