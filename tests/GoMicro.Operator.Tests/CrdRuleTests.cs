using System.Text.Json.Nodes;

namespace GoMicro.Operator.Tests;

/// <summary>
/// What the API server says to a `kubectl apply` of a shop, through the CRD's defaults and CEL
/// rules: the intent of each rule, transitions and presence included.
/// </summary>
public sealed class CrdRuleTests
{
    internal static JsonObject Shop(string name = "shop", string? spec = null)
    {
        var shop = JsonNode.Parse($$"""
            { "apiVersion": "gomicro.io/v1alpha1", "kind": "GoMicroShop", "metadata": { "name": "{{name}}", "namespace": "shop" },
              "spec": {{spec ?? """{ "version": "1.0.0" }"""}} }
            """)!.AsObject();
        CrdRules.ApplyDefaults(shop);
        return shop;
    }

    internal static IReadOnlyList<string> Change(JsonObject old, Action<JsonObject> edit)
    {
        var next = old.DeepClone().AsObject();
        edit((JsonObject)next["spec"]!);
        CrdRules.ApplyDefaults(next);
        return CrdRules.Violations(old, next);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("redis")]
    [InlineData("rabbitmq")]
    public void A_storage_class_can_be_neither_added_changed_nor_removed_once_the_shop_exists(string store)
    {
        var without = Shop();
        Assert.Contains(Change(without, s => s[store]!["storageClassName"] = "fast"), v => v.Contains("storageClassName cannot be added", StringComparison.Ordinal));

        var with = Shop(spec: $$"""{ "version": "1.0.0", "{{store}}": { "storageClassName": "standard" } }""");
        Assert.NotEmpty(Change(with, s => s[store]!["storageClassName"] = "fast"));
        Assert.NotEmpty(Change(with, s => s[store]!.AsObject().Remove("storageClassName")));
        Assert.NotEmpty(Change(with, s => s[store]!["storageSize"] = "5Gi"));
        Assert.Empty(Change(with, s => s[store]!["resources"] = new JsonObject { ["memory"] = "1Gi" }));
    }

    [Theory]
    [InlineData("postgres:15.10", "postgres:15.12", true)]
    [InlineData("postgres:15.10", "postgres:15", true)]
    [InlineData("postgres:15.10", "postgres:15.12-alpine", true)]
    [InlineData("postgres:15.10", "registry.local:5000/postgres:15.11@sha256:0123abcd", true)]
    [InlineData("postgres:15.10", "postgres:16.4", false)]
    [InlineData("postgres:15.10", "postgres:16", false)]
    [InlineData("registry.local:5000/postgres:15.10", "registry.local:5000/postgres:17.0", false)]
    [InlineData("postgres:15.10", "postgres", false)]
    [InlineData("postgres:15.10-bookworm", "postgres:14.9-bookworm", false)]
    [InlineData("registry.local/custom-postgres", "registry.local/custom-postgres:16.1", true)]
    public void PostgreSQL_may_change_minor_versions_but_a_major_change_is_refused_with_the_reason(string from, string to, bool allowed)
    {
        var shop = Shop(spec: $$"""{ "version": "1.0.0", "postgres": { "image": "{{from}}" } }""");
        var violations = Change(shop, s => s["postgres"]!["image"] = to);
        if (allowed)
        {
            Assert.Empty(violations);
        }
        else
        {
            Assert.Contains(violations, v => v.StartsWith("spec.postgres: ", StringComparison.Ordinal) && v.Contains("major version", StringComparison.Ordinal) && v.Contains("Upgrading PostgreSQL", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Redis_and_RabbitMQ_images_are_free_to_change()
    {
        var shop = Shop();
        Assert.Empty(Change(shop, s => { s["redis"]!["image"] = "redis:8.0"; s["rabbitmq"]!["image"] = "rabbitmq:4.1-management"; }));
    }

    [Theory]
    [InlineData("shop", true)]
    [InlineData("a", true)]
    [InlineData("shop-2", true)]
    [InlineData("abcdefghij-abcdefghij-abcdefghij-abcdefg", true)]   // 40
    [InlineData("abcdefghij-abcdefghij-abcdefghij-abcdefgh", false)] // 41: shop-…-payments-db would pass 52
    [InlineData("2shop", false)]
    [InlineData("Shop", false)]
    [InlineData("shop-", false)]
    [InlineData("shop.one", false)]
    public void A_shop_name_that_would_make_invalid_children_is_refused_on_create(string name, bool allowed)
    {
        var violations = CrdRules.Violations(null, Shop(name));
        Assert.Equal(allowed, violations.Count == 0);
        if (!allowed)
        {
            Assert.Contains("at most 40 characters", violations.Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_admin_email_is_fixed_once_the_shop_exists_and_the_refusal_says_how_to_add_an_administrator()
    {
        var shop = Shop();
        Assert.Contains(Change(shop, s => s["admin"] = new JsonObject { ["email"] = "boss@example.com" }), v => v.StartsWith("spec.admin: email cannot", StringComparison.Ordinal));
        Assert.Empty(Change(shop, s => s["services"]!["users"]!["replicas"] = 3));
        Assert.Empty(CrdRules.Violations(null, Shop(spec: """{ "version": "1.0.0", "admin": { "email": "boss@example.com" } }""")));
    }

    [Fact]
    public void A_store_given_in_part_keeps_that_stores_own_defaults_for_the_rest()
    {
        var shop = Shop(spec: """{ "version": "1.0.0", "rabbitmq": { "storageSize": "2Gi" }, "postgres": { "resources": { "cpu": "1" } }, "redis": {} }""");
        var spec = shop["spec"]!;
        Assert.Equal("512Mi", spec["rabbitmq"]!["resources"]!["memory"]!.GetValue<string>());
        Assert.Equal("2Gi", spec["rabbitmq"]!["storageSize"]!.GetValue<string>());
        Assert.StartsWith("rabbitmq:3.13.", spec["rabbitmq"]!["image"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("1", spec["postgres"]!["resources"]!["cpu"]!.GetValue<string>());
        Assert.Equal("256Mi", spec["postgres"]!["resources"]!["memory"]!.GetValue<string>());
        Assert.StartsWith("redis:7.", spec["redis"]!["image"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("1Gi", spec["redis"]!["storageSize"]!.GetValue<string>());
    }

    [Fact]
    public void Every_default_image_pins_a_minor_version()
    {
        var spec = Shop()["spec"]!;
        foreach (var image in new[] { spec["postgres"]!["image"], spec["redis"]!["image"], spec["rabbitmq"]!["image"], spec["gateway"]!["image"] })
        {
            Assert.Matches(@":\d+\.\d+", image!.GetValue<string>());
        }
    }
}
