using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Gateway;
using GoMicro.Testing;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// Who a request comes from, for the per-client limits of qos/ratelimit/router (strategy ip).
/// KrakenD CE 2.13 takes the client's address from gin's Context.ClientIP()
/// (krakend-ratelimit v3.3.1 router/gin/tokenextractor.go:19 and :23-26 when no "key" is set),
/// and gin v1.12.0 trusts X-Forwarded-For / X-Real-IP from every peer unless told otherwise
/// (gin.go:214-215 and :225-226; context.go ClientIP). lura applies the "router" options
/// forwarded_by_client_ip, remote_ip_headers and trusted_proxies to that engine
/// (lura router/gin/engine.go:61-72 at 6d79b4ef723b, the commit KrakenD CE v2.13.8 pins).
/// </summary>
public sealed class GatewayClientAddressTests
{
    private static JsonObject Committed() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(OfflineSchemas.RepositoryRoot, "krakend", "krakend.json")))!.AsObject();

    private static IEnumerable<JsonObject> Endpoints(JsonObject config) =>
        config["endpoints"]!.AsArray().Select(e => e!.AsObject());

    [Fact]
    public void The_router_keys_clients_on_the_peer_address_not_on_forwarded_headers()
    {
        var router = Committed()["extra_config"]!["router"]!.AsObject();

        // Unset, gin's ForwardedByClientIP is true and every proxy is trusted: a client that
        // sends a new X-Forwarded-For on each request gets a new rate-limit bucket each time.
        Assert.True(router.ContainsKey("forwarded_by_client_ip"), "the router must say forwarded_by_client_ip: false explicitly (gin defaults it to true)");
        Assert.False(router["forwarded_by_client_ip"]!.GetValue<bool>());
        Assert.False(router.ContainsKey("trusted_proxies"));
        Assert.False(router.ContainsKey("remote_ip_headers"));
        Assert.False(router.ContainsKey("app_engine") && router["app_engine"]!.GetValue<bool>(), "app_engine trusts X-Appengine-Remote-Addr from anyone");
    }

    [Fact]
    public void Every_per_client_limit_counts_the_address_the_router_resolves()
    {
        Assert.All(Endpoints(Committed()), endpoint =>
        {
            var limit = endpoint["extra_config"]!["qos/ratelimit/router"]!.AsObject();
            Assert.True(limit["client_max_rate"]!.GetValue<double>() > 0, $"{endpoint["method"]} {endpoint["endpoint"]} has no per-client limit");
            Assert.Equal("ip", limit["strategy"]!.GetValue<string>());
            // With strategy ip, a "key" makes krakend-ratelimit read that header's first entry
            // itself (tokenextractor.go:27-35): the client's own value, whatever the router trusts.
            Assert.False(limit.ContainsKey("key"), $"{endpoint["method"]} {endpoint["endpoint"]} keys its limit on a header");
        });
    }

    [Fact]
    public void KrakenD_2_13_has_no_setting_for_the_status_of_its_own_limits()
    {
        // The global limit answers 503 and the per-client one 429 with no Retry-After, both
        // hard-coded (krakend-ratelimit v3.3.1 router/gin/gin.go:101 and :152/:156); the
        // schema refuses any other key, so nobody can believe a status_code here works.
        var config = Committed();
        var limit = Endpoints(config).First()["extra_config"]!["qos/ratelimit/router"]!.AsObject();
        limit["status_code"] = 429;

        var errors = OfflineSchemas.Validate(OfflineSchemas.Get(KrakendConfig.SchemaUrl), JsonDocument.Parse(config.ToJsonString()).RootElement);

        Assert.NotEmpty(errors);
    }

    [Fact]
    public void A_known_load_balancer_is_trusted_through_X_Forwarded_For_alone()
    {
        var config = KrakendConfig.Build(GatewayRoutes.Discover(), TokenSettings.Default,
            ClientAddresses.Behind(["10.0.0.0/8", "192.168.1.10", "fd00::/8"]));
        var router = config["extra_config"]!["router"]!.AsObject();

        Assert.True(router["forwarded_by_client_ip"]!.GetValue<bool>());
        Assert.Equal(["10.0.0.0/8", "192.168.1.10", "fd00::/8"], router["trusted_proxies"]!.AsArray().Select(p => p!.GetValue<string>()));
        // Not X-Real-IP (in gin's default list): a balancer that does not set it passes on the client's.
        Assert.Equal(["X-Forwarded-For"], router["remote_ip_headers"]!.AsArray().Select(h => h!.GetValue<string>()));
        var errors = OfflineSchemas.Validate(OfflineSchemas.Get(KrakendConfig.SchemaUrl), JsonDocument.Parse(config.ToJsonString()).RootElement);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("::/0")]
    [InlineData("0.0.0.0")]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("load-balancer.internal")]
    public void Trusting_everyone_or_an_entry_KrakenD_would_misread_is_refused(string proxy)
    {
        Assert.Throws<ArgumentException>(() => ClientAddresses.Behind([proxy]));
    }

    [Fact]
    public void The_generator_writes_a_trusting_config_only_beside_the_committed_one()
    {
        var root = OfflineSchemas.RepositoryRoot;
        var committed = Path.Combine(root, "krakend", "krakend.json");
        var before = File.ReadAllText(committed);
        var target = Path.Combine(Path.GetTempPath(), $"krakend-lb-{Guid.NewGuid():N}.json");
        using var output = new StringWriter();
        using var error = new StringWriter();
        try
        {
            Assert.Equal(2, GeneratorCommand.Run([root, "--trusted-proxy", "10.0.0.0/8"], output, error));
            Assert.Contains("--output", error.ToString(), StringComparison.Ordinal);
            Assert.Equal(2, GeneratorCommand.Run([root, "--trusted-proxy", "0.0.0.0/0", "--output", target], output, error));
            Assert.False(File.Exists(target));

            Assert.Equal(0, GeneratorCommand.Run([root, "--trusted-proxy", "10.0.0.0/8,172.16.0.0/12", "--output", target], output, error));
            var router = JsonNode.Parse(File.ReadAllText(target))!["extra_config"]!["router"]!;
            Assert.Equal(["10.0.0.0/8", "172.16.0.0/12"], router["trusted_proxies"]!.AsArray().Select(p => p!.GetValue<string>()));
            Assert.Equal(before, File.ReadAllText(committed));
        }
        finally
        {
            File.Delete(target);
        }
    }
}
