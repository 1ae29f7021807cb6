using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Operator.Crd;
using GoMicro.Testing;

namespace GoMicro.Operator.Tests;

/// <summary>What the API server says to autoscaling and backup settings, through the CRD's defaults, schema and CEL rules.</summary>
public sealed class ScaleCrdRuleTests
{
    private static JsonObject Shop(string spec)
    {
        var shop = JsonNode.Parse($$"""
            { "apiVersion": "gomicro.io/v1alpha1", "kind": "GoMicroShop", "metadata": { "name": "shop", "namespace": "shop" }, "spec": {{spec}} }
            """)!.AsObject();
        CrdRules.ApplyDefaults(shop);
        return shop;
    }

    private static IReadOnlyList<string> Change(JsonObject old, Action<JsonObject> edit)
    {
        var next = old.DeepClone().AsObject();
        edit((JsonObject)next["spec"]!);
        CrdRules.ApplyDefaults(next);
        return CrdRules.Violations(old, next);
    }

    [Theory]
    [InlineData("services", "users")]
    [InlineData("services", "payments")]
    [InlineData(null, "gateway")]
    public void Autoscaling_minReplicas_may_not_exceed_maxReplicas(string? parent, string workload)
    {
        string Spec(string autoscaling) => parent is null
            ? $$"""{ "version": "1.0.0", "{{workload}}": { "autoscaling": {{autoscaling}} } }"""
            : $$"""{ "version": "1.0.0", "{{parent}}": { "{{workload}}": { "autoscaling": {{autoscaling}} } } }""";

        Assert.Empty(CrdRules.Violations(null, Shop(Spec("""{ "minReplicas": 3, "maxReplicas": 3 }"""))));
        Assert.Empty(CrdRules.Violations(null, Shop(Spec("{}"))));
        var refused = CrdRules.Violations(null, Shop(Spec("""{ "minReplicas": 4, "maxReplicas": 3 }""")));
        Assert.Contains(refused, v => v.EndsWith("autoscaling: autoscaling.minReplicas must not be greater than autoscaling.maxReplicas", StringComparison.Ordinal));
        // A maxReplicas below the default minimum (2) needs the minimum said too.
        Assert.NotEmpty(CrdRules.Violations(null, Shop(Spec("""{ "maxReplicas": 1 }"""))));
    }

    [Fact]
    public void An_empty_autoscaling_block_gets_the_defaults_and_turning_it_on_or_off_is_free()
    {
        var shop = Shop("""{ "version": "1.0.0", "services": { "products": { "autoscaling": {} } } }""");
        var autoscaling = shop["spec"]!["services"]!["products"]!["autoscaling"]!;
        var defaults = new AutoscalingSpec();
        Assert.Equal((defaults.MinReplicas, defaults.MaxReplicas, defaults.TargetCPUUtilization),
            (autoscaling["minReplicas"]!.GetValue<int>(), autoscaling["maxReplicas"]!.GetValue<int>(), autoscaling["targetCPUUtilization"]!.GetValue<int>()));
        Assert.Null(shop["spec"]!["services"]!["users"]!["autoscaling"]);
        Assert.Null(shop["spec"]!["postgres"]!["backup"]);

        Assert.Empty(Change(shop, s => s["services"]!["products"]!.AsObject().Remove("autoscaling")));
        Assert.Empty(Change(shop, s => s["gateway"]!["autoscaling"] = new JsonObject { ["maxReplicas"] = 10 }));
    }

    [Fact]
    public void Backups_can_be_turned_on_and_off_but_their_volume_size_and_class_are_fixed_while_on()
    {
        var without = Shop("""{ "version": "1.0.0" }""");
        Assert.Empty(Change(without, s => s["postgres"]!["backup"] = new JsonObject { ["storageSize"] = "10Gi", ["storageClassName"] = "slow" }));

        var with = Shop("""{ "version": "1.0.0", "postgres": { "backup": { "storageSize": "10Gi" } } }""");
        var backup = with["spec"]!["postgres"]!["backup"]!;
        Assert.Equal(("15 2 * * *", 7, "Etc/UTC"), (backup["schedule"]!.GetValue<string>(), backup["retention"]!.GetValue<int>(), backup["timeZone"]!.GetValue<string>()));
        Assert.Contains(Change(with, s => s["postgres"]!["backup"]!["storageSize"] = "20Gi"), v => v.Contains("storageSize cannot be added, changed or removed", StringComparison.Ordinal));
        Assert.Contains(Change(with, s => s["postgres"]!["backup"]!["storageClassName"] = "fast"), v => v.Contains("storageClassName cannot be added", StringComparison.Ordinal));
        Assert.Empty(Change(with, s => { s["postgres"]!["backup"]!["schedule"] = "@hourly"; s["postgres"]!["backup"]!["retention"] = 30; }));
        Assert.Empty(Change(with, s => s["postgres"]!.AsObject().Remove("backup")));
        // The databases' own rules still hold with backups on.
        Assert.NotEmpty(Change(with, s => s["postgres"]!["image"] = "postgres:16.4"));
    }

    [Theory]
    [InlineData("15 2 * * *", true)]
    [InlineData("*/30 * * * 1-5", true)]
    [InlineData("@daily", true)]
    [InlineData("@hourly", true)]
    [InlineData("daily", false)]
    [InlineData("15 2 * *", false)]
    [InlineData("", false)]
    public void The_schema_accepts_a_cron_schedule_and_refuses_what_is_not_one(string schedule, bool valid)
    {
        var crd = YamlJson.Documents(File.ReadAllText(CrdTests.CommittedPath)).Single()!;
        var schema = OfflineSchemas.FromText(crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.ToJsonString());
        var shop = Shop($$"""{ "version": "1.0.0", "postgres": { "backup": { "schedule": "{{schedule}}" } } }""");

        Assert.Equal(valid, schema.Evaluate(JsonSerializer.SerializeToElement(shop)).IsValid);
    }
}
