using System.Text.Json;
using System.Text.RegularExpressions;
using GoMicro.Gateway;
using GoMicro.Testing;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// docker-compose.yml read offline: every container has a health check (in the file or in the
/// image it builds), the PostgreSQL checks can tell an initialising server and a missing
/// database from a ready one, and the gateway's check asks KrakenD itself. The PostgreSQL
/// check is also run against the image by the users tests' PostgresImageTests.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly ComposeFile Compose = ComposeFile.Load();

    private static IEnumerable<string> ServiceNames => Compose.Services.Select(s => s.Key);

    private static IEnumerable<string> PostgresServices =>
        ServiceNames.Where(n => Compose.Service(n)["image"]?.GetValue<string>().StartsWith("postgres:", StringComparison.Ordinal) == true);

    [Fact]
    public void Every_service_has_a_health_check()
    {
        var dockerfileHasHealthcheck = Regex.IsMatch(
            File.ReadAllText(Path.Combine(OfflineSchemas.RepositoryRoot, "Dockerfile")), @"^HEALTHCHECK\s.*\bCMD\b", RegexOptions.Multiline);
        var without = ServiceNames
            .Where(n => Compose.HealthcheckCommand(n) is null && !(Compose.Service(n)["build"] is not null && dockerfileHasHealthcheck))
            .ToList();

        Assert.True(without.Count == 0, "services without a health check: " + string.Join(", ", without));
        Assert.Contains("krakend", ServiceNames);
    }

    [Fact]
    public void Every_dependency_waited_for_as_healthy_has_a_health_check()
    {
        foreach (var name in ServiceNames)
        {
            if (Compose.Service(name)["depends_on"] is System.Text.Json.Nodes.JsonObject dependencies)
            {
                foreach (var (dependency, how) in dependencies)
                {
                    Assert.True(Compose.Services.ContainsKey(dependency), $"{name} depends on unknown {dependency}");
                    Assert.Equal("service_healthy", how?["condition"]?.GetValue<string>());
                }
            }
        }
    }

    [Fact]
    public void PostgreSQL_health_checks_connect_over_tcp_into_the_database_the_service_uses()
    {
        Assert.Equal("payments-db products-db users-db", string.Join(' ', PostgresServices.Order(StringComparer.Ordinal)));
        foreach (var name in PostgresServices)
        {
            var env = Compose.Environment(name);
            var user = env.GetValueOrDefault("POSTGRES_USER", "postgres");
            var database = env.GetValueOrDefault("POSTGRES_DB", user);
            var command = Compose.HealthcheckCommand(name);
            Assert.NotNull(command);
            // What the container's shell sees, with the service's own variables put in.
            var script = Regex.Replace(string.Join(' ', command), @"\$\{?(POSTGRES_[A-Z]+)\}?",
                m => env.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

            var clients = Regex.Matches(script, @"\b(pg_isready|psql)\b([^&|;]*)").ToList();
            Assert.True(clients.Count > 0, $"{name}: the health check runs neither pg_isready nor psql: {script}");
            foreach (var client in clients)
            {
                var arguments = client.Groups[2].Value;
                // The image's init server listens on the Unix socket alone: a socket check passes
                // before initialisation (and the creation of POSTGRES_DB) is over.
                var host = Option(arguments, "-h", "--host");
                Assert.True(host is not null && !host.StartsWith('/'),
                    $"{name}: `{client.Value.Trim()}` must connect over TCP (-h 127.0.0.1), not through the Unix socket");
                Assert.True(Option(arguments, "-d", "--dbname") == database,
                    $"{name}: `{client.Value.Trim()}` must name the database {database}");
                Assert.True(Option(arguments, "-U", "--username") == user,
                    $"{name}: `{client.Value.Trim()}` must connect as {user}");
            }
            // pg_isready says "accepting connections" for a database that does not exist.
            Assert.True(clients.Any(c => c.Groups[1].Value == "psql"),
                $"{name}: only psql (or another real connection) can tell that {database} exists: {script}");
        }
    }

    [Fact]
    public void Each_service_database_is_the_one_its_health_check_names()
    {
        foreach (var app in ServiceNames)
        {
            if (Compose.Environment(app).TryGetValue("ConnectionStrings__Postgres", out var connection))
            {
                var host = Regex.Match(connection, "Host=([^;]+)").Groups[1].Value;
                var database = Regex.Match(connection, "Database=([^;]+)").Groups[1].Value;
                Assert.Contains(host, PostgresServices);
                Assert.Equal(database, Compose.Environment(host)["POSTGRES_DB"]);
                Assert.Equal("service_healthy", Compose.Service(app)["depends_on"]?[host]?["condition"]?.GetValue<string>());
            }
        }
    }

    [Fact]
    public void The_gateway_health_check_asks_krakend_on_its_port_with_a_tool_its_image_has()
    {
        var command = Compose.HealthcheckCommand("krakend");
        Assert.NotNull(command);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(OfflineSchemas.RepositoryRoot, "krakend", "krakend.json")));
        var port = config.RootElement.GetProperty("port").GetInt32();
        var healthPath = config.RootElement.GetProperty("extra_config").GetProperty("router").GetProperty("health_path").GetString();
        Assert.Equal(KrakendConfig.HealthPath, healthPath);

        Assert.Contains($"http://127.0.0.1:{port}{healthPath}", command);
        // The krakend image is Alpine plus the binary: BusyBox wget, no curl, no shell needed.
        Assert.Equal("wget", command[0]);
    }

    /// <summary>The value of a short (<c>-h x</c>, <c>-hx</c>) or long (<c>--host=x</c>, <c>--host x</c>) option, unquoted.</summary>
    private static string? Option(string arguments, string shortName, string longName)
    {
        var match = Regex.Match(arguments,
            $@"(?:^|\s)(?:{Regex.Escape(shortName)}\s*|{Regex.Escape(longName)}(?:=|\s+))(""[^""]*""|'[^']*'|\S+)");
        return match.Success ? match.Groups[1].Value.Trim('"', '\'') : null;
    }
}
