using GoMicro.Testing;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Gateway;

namespace GoMicro.EndToEnd.Tests;

/// <summary>krakend/krakend.json is generated (tools/GoMicro.Gateway) and valid for KrakenD 2.13.</summary>
public sealed class GatewayConfigTests
{
    private static string CommittedPath => Path.Combine(OfflineSchemas.RepositoryRoot, "krakend", "krakend.json");

    [Fact]
    public void The_committed_config_is_what_the_generator_writes()
    {
        var generated = KrakendConfig.ToJson(KrakendConfig.Build(GatewayRoutes.Discover(), TokenSettings.Default));

        Assert.True(generated == File.ReadAllText(CommittedPath),
            "krakend/krakend.json is out of date: run `dotnet run --project tools/GoMicro.Gateway` and commit the result.");
    }

    [Fact]
    public void The_config_validates_against_the_krakend_2_13_schema()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(CommittedPath));
        Assert.Equal(KrakendConfig.SchemaUrl, config.RootElement.GetProperty("$schema").GetString());

        var errors = OfflineSchemas.Validate(OfflineSchemas.Get(KrakendConfig.SchemaUrl), config.RootElement);

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void The_schema_check_catches_a_broken_config()
    {
        var broken = JsonNode.Parse(File.ReadAllText(CommittedPath))!;
        broken["endpoints"]![0]!["method"] = "FETCH";
        broken["port"] = "not a port";

        var errors = OfflineSchemas.Validate(OfflineSchemas.Get(KrakendConfig.SchemaUrl), JsonDocument.Parse(broken.ToJsonString()).RootElement);

        Assert.NotEmpty(errors);
    }

    [Fact]
    public void Every_route_of_the_design_table_is_exposed()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(CommittedPath));
        var exposed = config.RootElement.GetProperty("endpoints").EnumerateArray()
            .Select(e => $"{e.GetProperty("method").GetString()} {e.GetProperty("endpoint").GetString()}").ToHashSet();
        string[] design =
        [
            "POST /users", "POST /users/login", "GET /users/me", "PUT /users/me", "GET /users",
            "GET /products", "GET /products/{id}", "POST /products", "PUT /products/{id}", "DELETE /products/{id}",
            "GET /basket", "POST /basket", "DELETE /basket/items/{product_id}", "DELETE /basket",
            "POST /payments", "GET /payments/{id}", "GET /payments",
        ];
        Assert.Equal(design.Order(), exposed.Order());
    }

    [Fact]
    public void Checkout_gets_a_gateway_timeout_above_its_worst_case_and_the_rest_the_default()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(CommittedPath));
        var endpoints = config.RootElement.GetProperty("endpoints").EnumerateArray().ToList();
        var checkout = endpoints.Single(e => e.GetProperty("method").GetString() == "POST" && e.GetProperty("endpoint").GetString() == "/payments");
        Assert.Equal("30s", checkout.GetProperty("timeout").GetString());
        Assert.Equal("5s", config.RootElement.GetProperty("timeout").GetString());
        Assert.Single(endpoints, e => e.TryGetProperty("timeout", out _));
    }
}
