using System.Net;
using System.Net.Http.Json;
using GoMicro.Testing;
using GoMicro.Users.Accounts;
using Grpc.Health.V1;

namespace GoMicro.Users.Tests;

/// <summary>
/// Runs alone: the services' counters are process-wide, so only then does a counter's increase
/// over a test come from that test alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}

[Collection(MetricsCollection.Name)]
public sealed class HealthAndMetricsTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    [Fact]
    public async Task Readiness_checks_postgres_and_grpc_health_mirrors_it()
    {
        var (ready, body) = await users.GetJsonAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await users.GetJsonAsync("/healthz/live")).Response.StatusCode);

        var grpc = await new Health.HealthClient(users.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, grpc.Status);
    }

    [Fact]
    public async Task With_postgres_unreachable_it_is_live_but_not_ready()
    {
        var settings = users.Settings();
        settings["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=x;Timeout=2";
        settings["Database:MigrateOnStartup"] = "false";
        settings["Admin:Email"] = null;
        await using var host = new ServiceHost<UsersGrpcService>(settings).Start();
        using var http = host.CreateHttpClient();
        using var channel = host.CreateGrpcChannel();

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/live")).StatusCode);
        using var ready = await http.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        // Statuses only: the reason (host, user, the driver's error) is for the log, not for anyone who asks.
        var body = await ready.Content.ReadAsStringAsync();
        Assert.Contains("\"postgres\":{\"status\":\"Unhealthy\"}", body, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        Assert.DoesNotContain("nobody", body, StringComparison.Ordinal);
        Assert.DoesNotContain("description", body, StringComparison.Ordinal);
        var grpc = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, grpc.Status);

        // A request that needs the database answers 503 quickly, never 500.
        using var response = await http.PostAsJsonAsync("/users", new { email = UsersFixture.UniqueEmail(), password = "s3cret-pass", displayName = "X" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_count_each_registration_login_and_grpc_call()
    {
        string[] series =
        [
            "gomicro_users_registrations_total",
            "gomicro_users_logins_total{outcome=\"success\"}",
            "gomicro_users_logins_total{outcome=\"wrong_credentials\"}",
            "grpc_server_handled_total{grpc_service=\"gomicro.users.v1.UsersService\",grpc_method=\"Register\",grpc_code=\"OK\"}",
            "grpc_server_handled_total{grpc_service=\"gomicro.users.v1.UsersService\",grpc_method=\"Login\",grpc_code=\"Unauthenticated\"}",
        ];
        var before = Samples(await users.Http.GetStringAsync("/metrics"), series);

        var email = UsersFixture.UniqueEmail("metrics");
        await users.RegisterAsync(email);
        await users.LoginAsync(email);
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => users.LoginAsync(email, "wrong-password-1"));

        var text = await users.Http.GetStringAsync("/metrics");
        var after = Samples(text, series);
        Assert.Equal(series.Select(_ => 1.0), series.Select(s => after[s] - before[s]));
        Assert.Contains("http_request_duration_seconds_count{", text, StringComparison.Ordinal);
    }

    /// <summary>The value of each series in Prometheus' text format; 0 for one not exposed yet.</summary>
    private static Dictionary<string, double> Samples(string text, IEnumerable<string> series)
    {
        var lines = text.Split('\n');
        return series.ToDictionary(s => s, s => lines
            .Where(l => l.StartsWith(s + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(s.Length + 1)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))
            .SingleOrDefault());
    }
}
