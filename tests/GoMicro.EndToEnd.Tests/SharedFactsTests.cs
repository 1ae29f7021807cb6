using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GoMicro.ServiceDefaults;
using GoMicro.ServiceDefaults.Auth;
using GoMicro.ServiceDefaults.Hosting;
using GoMicro.Testing;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// The facts every part shares have one home each in GoMicro.ServiceDefaults: the services'
/// names (<see cref="ServiceNames"/>), their ports (<see cref="ListenOptions"/>), the token
/// issuer, audience and JWKS path (<see cref="JwtOptions"/>). The services, the operator and
/// the gateway generator read them; the files that cannot (docker-compose.yml, the Dockerfile,
/// krakend.json, the Development settings, the scripts) are checked against them here.
/// </summary>
public sealed class SharedFactsTests
{
    private static readonly ComposeFile Compose = ComposeFile.Load();

    private static string Root => OfflineSchemas.RepositoryRoot;

    public static TheoryData<string> Services => [.. ServiceNames.All];

    [Theory]
    [MemberData(nameof(Services))]
    public void Compose_runs_each_service_under_its_name_with_the_shared_token_settings_and_addresses(string service)
    {
        var env = Compose.Environment(service);

        Assert.Equal(JwtOptions.DefaultIssuer, env.GetValueOrDefault("Jwt__Issuer"));
        Assert.Equal(JwtOptions.DefaultAudience, env.GetValueOrDefault("Jwt__Audience"));
        Assert.Equal(JwtOptions.JwksUrlAt(ServiceNames.Users), env.GetValueOrDefault("Jwt__JwksUrl"));
        Assert.Equal(ListenOptions.GrpcAddress(ServiceNames.Products), env.GetValueOrDefault("Services__Products__Grpc"));
        Assert.Equal(ListenOptions.GrpcAddress(ServiceNames.Basket), env.GetValueOrDefault("Services__Basket__Grpc"));
        // The listen ports are the services' defaults: compose must not move them.
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("Listen__", StringComparison.Ordinal));
    }

    [Fact]
    public void The_image_exposes_the_services_ports()
    {
        var expose = Regex.Match(File.ReadAllText(Path.Combine(Root, "Dockerfile")), @"^EXPOSE\s+(.+)$", RegexOptions.Multiline);

        Assert.True(expose.Success, "the Dockerfile has no EXPOSE line");
        Assert.Equal($"{ListenOptions.DefaultHttpPort} {ListenOptions.DefaultGrpcPort}", expose.Groups[1].Value.Trim());
    }

    [Fact]
    public void The_gateway_validates_tokens_with_the_users_JWKS_and_forwards_to_the_HTTP_port()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "krakend", "krakend.json")))!;
        var endpoints = config["endpoints"]!.AsArray().Select(e => e!).ToList();
        var validators = endpoints.Select(e => e["extra_config"]?["auth/validator"]).OfType<JsonNode>().ToList();
        var hosts = endpoints.SelectMany(e => e["backend"]!.AsArray()).SelectMany(b => b!["host"]!.AsArray()).Select(h => h!.GetValue<string>()).ToHashSet();

        Assert.NotEmpty(validators);
        Assert.All(validators, v =>
        {
            Assert.Equal(JwtOptions.JwksUrlAt(ServiceNames.Users), v["jwk_url"]!.GetValue<string>());
            Assert.Equal(JwtOptions.DefaultIssuer, v["issuer"]!.GetValue<string>());
            Assert.Equal([JwtOptions.DefaultAudience], v["audience"]!.AsArray().Select(a => a!.GetValue<string>()));
        });
        Assert.Equal(ServiceNames.All.Select(s => $"http://{s}:{ListenOptions.DefaultHttpPort}").Order(StringComparer.Ordinal), hosts.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("GoMicro.Products")]
    [InlineData("GoMicro.Basket")]
    [InlineData("GoMicro.Payments")]
    public void Local_runs_fetch_the_JWKS_from_users_on_its_default_port(string project)
    {
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "services", project, "appsettings.Development.json")))!;

        Assert.Equal(JwtOptions.JwksUrlAt("127.0.0.1"), settings["Jwt"]?["JwksUrl"]?.GetValue<string>());
    }

    [Fact]
    public void The_scripts_that_start_services_point_them_at_the_users_JWKS_path()
    {
        var urls = Directory.GetFiles(Path.Combine(Root, "scripts"), "*.sh")
            .SelectMany(f => File.ReadLines(f).Where(l => l.Contains("Jwt__JwksUrl=", StringComparison.Ordinal)).Select(l => (File: Path.GetFileName(f), Line: l.Trim())))
            .ToList();

        Assert.NotEmpty(urls);
        // The host and port are each script's own (its local ports); the path is the users service's.
        Assert.All(urls, u => Assert.True(Regex.IsMatch(u.Line, @"Jwt__JwksUrl=\S*(?:\$\([^)]*\))?\S*?" + Regex.Escape(JwtOptions.JwksPath) + @"(?:\s|""|$)"),
            $"scripts/{u.File}: `{u.Line}` does not point at {JwtOptions.JwksPath}"));
    }

    [Fact]
    public void The_services_settings_leave_issuer_and_audience_to_the_shared_defaults()
    {
        foreach (var project in Directory.GetDirectories(Path.Combine(Root, "services"), "GoMicro.*"))
        {
            foreach (var file in Directory.GetFiles(project, "appsettings*.json"))
            {
                var jwt = JsonNode.Parse(File.ReadAllText(file))!["Jwt"];
                Assert.True(jwt?["Issuer"] is null && jwt?["Audience"] is null,
                    $"{Path.GetRelativePath(Root, file)} sets Jwt:Issuer or Jwt:Audience: they live in JwtOptions.DefaultIssuer and DefaultAudience.");
            }
        }
    }
}
