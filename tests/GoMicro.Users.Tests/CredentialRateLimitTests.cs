using System.Net;
using System.Text.Json;
using GoMicro.Testing;
using GoMicro.Users.Accounts;
using GoMicro.Users.V1;
using Grpc.Core;

namespace GoMicro.Users.Tests;

/// <summary>
/// ASP.NET Core's rate limiter on Register and Login, per client address, over HTTP/JSON and
/// gRPC, on a service of its own with a bucket of <see cref="Burst"/> that does not refill
/// during the test.
/// </summary>
public sealed class CredentialRateLimitTests : IClassFixture<UsersFixture>, IAsyncDisposable
{
    private const int Burst = 3;
    private readonly UsersFixture _users;
    private readonly ServiceHost<UsersGrpcService> _host;
    private readonly HttpClient _http;
    private readonly Grpc.Net.Client.GrpcChannel _channel;
    private readonly UsersService.UsersServiceClient _grpc;

    public CredentialRateLimitTests(UsersFixture users)
    {
        _users = users;
        _host = new ServiceHost<UsersGrpcService>(Limited(users.Settings())).Start();
        _http = _host.CreateHttpClient();
        _channel = _host.CreateGrpcChannel();
        _grpc = new UsersService.UsersServiceClient(_channel);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _channel.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Past_its_limit_an_address_gets_429_with_Retry_After_over_HTTP_and_other_addresses_do_not()
    {
        var email = UsersFixture.UniqueEmail("rate");
        var statuses = new List<HttpStatusCode>
        {
            (await PostAsync("/users", new { email, password = "correct-horse-1", displayName = "R" }, "203.0.113.60")).Response.StatusCode,
        };
        for (var i = 0; i < Burst - 1; i++)
        {
            statuses.Add((await PostAsync("/users/login", new { email, password = "correct-horse-1" }, "203.0.113.60")).Response.StatusCode);
        }
        var (limited, body) = await PostAsync("/users/login", new { email, password = "correct-horse-1" }, "203.0.113.60");
        var (registerLimited, _) = await PostAsync("/users", new { email = UsersFixture.UniqueEmail(), password = "correct-horse-1", displayName = "R" }, "203.0.113.60");

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After in seconds");
        Assert.Equal((int)StatusCode.ResourceExhausted, body.GetProperty("code").GetInt32());
        Assert.Contains("try again", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, registerLimited.StatusCode);

        // Partitioned by address: another client is not affected.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/users/login", new { email, password = "correct-horse-1" }, "203.0.113.61")).Response.StatusCode);
    }

    [Fact]
    public async Task Past_its_limit_an_address_gets_ResourceExhausted_over_gRPC_and_other_addresses_do_not()
    {
        var email = UsersFixture.UniqueEmail("rate-grpc");
        await _grpc.RegisterAsync(new RegisterRequest { Email = email, Password = "correct-horse-1", DisplayName = "R" }, UsersFixture.From("203.0.113.70"));
        for (var i = 0; i < Burst - 1; i++)
        {
            await _grpc.LoginAsync(new LoginRequest { Email = email, Password = "correct-horse-1" }, UsersFixture.From("203.0.113.70"));
        }

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _grpc.LoginAsync(new LoginRequest { Email = email, Password = "correct-horse-1" }, UsersFixture.From("203.0.113.70")));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("try again", error.Status.Detail, StringComparison.Ordinal);
        Assert.True(int.Parse(error.Trailers.GetValue("retry-after")!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.NotEmpty((await _grpc.LoginAsync(new LoginRequest { Email = email, Password = "correct-horse-1" }, UsersFixture.From("203.0.113.71"))).AccessToken);
    }

    [Fact]
    public async Task Only_the_credential_endpoints_are_limited()
    {
        var email = UsersFixture.UniqueEmail("rate-other");
        await PostAsync("/users", new { email, password = "correct-horse-1", displayName = "R" }, "203.0.113.80");
        var (login, body) = await PostAsync("/users/login", new { email, password = "correct-horse-1" }, "203.0.113.80");
        var token = body.GetProperty("accessToken").GetString()!;
        for (var i = 2; i < Burst; i++)
        {
            await PostAsync("/users/login", new { email, password = "correct-horse-1" }, "203.0.113.80");
        }
        var (limited, _) = await PostAsync("/users/login", new { email, password = "correct-horse-1" }, "203.0.113.80");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var headers = new Dictionary<string, string> { ["X-Forwarded-For"] = "203.0.113.80" };
        for (var i = 0; i < 2 * Burst; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.SendJsonAsync(HttpMethod.Get, "/users/me", token, headers: headers)).Response.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await _http.SendJsonAsync(HttpMethod.Get, "/.well-known/jwks.json", headers: headers)).Response.StatusCode);
        }
    }

    [Fact]
    public async Task Without_a_trusted_proxy_every_claimed_address_shares_the_peers_budget()
    {
        var settings = Limited(_users.Settings());
        settings["Network:TrustedProxies"] = "";
        await using var host = new ServiceHost<UsersGrpcService>(settings).Start();
        using var http = host.CreateHttpClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= Burst; i++)
        {
            statuses.Add((await http.SendJsonAsync(HttpMethod.Post, "/users", body: new { email = UsersFixture.UniqueEmail(), password = "correct-horse-1", displayName = "R" },
                headers: new Dictionary<string, string> { ["X-Forwarded-For"] = $"203.0.113.{90 + i}" })).Response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[Burst]);
    }

    private static Dictionary<string, string?> Limited(Dictionary<string, string?> settings)
    {
        settings["RateLimits:Credentials:TokenLimit"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["RateLimits:Credentials:TokensPerPeriod"] = "1";
        settings["RateLimits:Credentials:ReplenishmentPeriod"] = "01:00:00";
        settings["Admin:Email"] = null;
        return settings;
    }

    private Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(string path, object body, string from) =>
        _http.SendJsonAsync(HttpMethod.Post, path, body: body, headers: new Dictionary<string, string> { ["X-Forwarded-For"] = from });
}
