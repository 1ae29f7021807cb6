using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Testing;
using static GoMicro.Operator.Tests.CrdRuleTests;

namespace GoMicro.Operator.Tests;

/// <summary>What the API server says to a shop's data-store providers, through the CRD's schema and CEL rules.</summary>
public sealed class ProviderCrdRuleTests
{
    private const string Production = """
        { "version": "1.0.0",
          "postgres": { "provider": "cloudnative-pg", "storageSize": "20Gi",
                        "cloudNativePG": { "instances": 3, "backup": { "schedule": "0 0 3 * * *", "method": "volumeSnapshot", "volumeSnapshotClassName": "csi" } } },
          "rabbitmq": { "provider": "rabbitmq-cluster-operator", "clusterOperator": { "replicas": 3 } },
          "redis": { "provider": "external", "secretName": "stores" } }
        """;

    private static readonly string[] Stores = ["postgres", "redis", "rabbitmq"];

    [Fact]
    public void A_production_shaped_shop_is_accepted_and_an_old_one_reads_as_statefulset()
    {
        Assert.Empty(CrdRules.Violations(null, Shop(spec: Production)));
        var plain = Shop();
        Assert.All(Stores, store => Assert.Equal("statefulset", plain["spec"]![store]!["provider"]!.GetValue<string>()));
        // A block left out stays out: nothing for another operator is implied.
        Assert.Null(plain["spec"]!["postgres"]!["cloudNativePG"]);
        Assert.Equal(3, Shop(spec: """{ "version": "1", "postgres": { "provider": "cloudnative-pg", "cloudNativePG": {} } }""")["spec"]!["postgres"]!["cloudNativePG"]!["instances"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("postgres", "cloudnative-pg")]
    [InlineData("postgres", "external")]
    [InlineData("redis", "external")]
    [InlineData("rabbitmq", "rabbitmq-cluster-operator")]
    [InlineData("rabbitmq", "external")]
    public void A_provider_cannot_change_once_the_shop_exists_because_the_data_stays_behind(string store, string provider)
    {
        var violations = Change(Shop(), s =>
        {
            s[store]!["provider"] = provider;
            if (provider == "external")
            {
                s[store]!["secretName"] = "stores";
            }
        });
        Assert.Contains(violations, v => v.StartsWith($"spec.{store}: {store}.provider cannot change once the shop exists", StringComparison.Ordinal) && v.Contains("Data store providers", StringComparison.Ordinal));

        // And back: a shop created on a provider keeps it.
        var created = Shop(spec: Production);
        Assert.NotEmpty(Change(created, s => s["postgres"]!["provider"] = "statefulset"));
        // Stating the default on a shop stored before providers existed changes nothing.
        var old = Shop();
        ((JsonObject)old["spec"]![store]!).Remove("provider");
        Assert.Empty(Change(old, s => s[store]!["provider"] = "statefulset"));
    }

    [Fact]
    public void What_a_provider_reads_can_change_while_the_provider_stays()
    {
        var shop = Shop(spec: Production);
        Assert.Empty(Change(shop, s =>
        {
            s["postgres"]!["cloudNativePG"]!["instances"] = 5;
            s["postgres"]!["cloudNativePG"]!.AsObject().Remove("backup");
            s["rabbitmq"]!["clusterOperator"]!["replicas"] = 5;
            s["redis"]!["secretName"] = "other-stores";
        }));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("redis")]
    [InlineData("rabbitmq")]
    public void An_external_store_needs_the_Secret_that_holds_its_connection_settings_and_only_it_reads_one(string store)
    {
        var without = CrdRules.Violations(null, Shop(spec: $$"""{ "version": "1", "{{store}}": { "provider": "external" } }"""));
        Assert.Contains(without, v => v.Contains($"{store}.provider external needs {store}.secretName", StringComparison.Ordinal));
        Assert.Empty(CrdRules.Violations(null, Shop(spec: $$"""{ "version": "1", "{{store}}": { "provider": "external", "secretName": "stores" } }""")));
        Assert.Contains(CrdRules.Violations(null, Shop(spec: $$"""{ "version": "1", "{{store}}": { "secretName": "stores" } }""")),
            v => v.Contains($"{store}.secretName is read only by the external provider", StringComparison.Ordinal));
    }

    [Fact]
    public void A_providers_settings_are_refused_on_another_provider()
    {
        Assert.Contains(CrdRules.Violations(null, Shop(spec: """{ "version": "1", "postgres": { "cloudNativePG": { "instances": 3 } } }""")),
            v => v.Contains("postgres.cloudNativePG applies only to postgres.provider cloudnative-pg", StringComparison.Ordinal));
        Assert.Contains(CrdRules.Violations(null, Shop(spec: """{ "version": "1", "rabbitmq": { "provider": "external", "secretName": "s", "clusterOperator": {} } }""")),
            v => v.Contains("rabbitmq.clusterOperator applies only to rabbitmq.provider rabbitmq-cluster-operator", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{ "schedule": "0 0 3 * * *", "method": "volumeSnapshot" }""", "needs backup.volumeSnapshotClassName")]
    [InlineData("""{ "schedule": "@daily", "method": "barmanCloudPlugin" }""", "needs backup.objectStoreName")]
    [InlineData("""{ "schedule": "@daily", "method": "barmanCloudPlugin", "objectStoreName": "s3", "volumeSnapshotClassName": "csi" }""", "read only by backup.method volumeSnapshot")]
    [InlineData("""{ "schedule": "@daily", "method": "volumeSnapshot", "volumeSnapshotClassName": "csi" }""", null)]
    [InlineData("""{ "schedule": "@daily", "method": "barmanCloudPlugin", "objectStoreName": "s3" }""", null)]
    public void A_backup_names_where_its_method_writes(string backup, string? refusal)
    {
        var violations = CrdRules.Violations(null, Shop(spec: $$"""{ "version": "1", "postgres": { "provider": "cloudnative-pg", "cloudNativePG": { "backup": {{backup}} } } }"""));
        if (refusal is null)
        {
            Assert.Empty(violations);
        }
        else
        {
            Assert.Contains(violations, v => v.StartsWith("spec.postgres.cloudNativePG.backup: ", StringComparison.Ordinal) && v.Contains(refusal, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void RabbitMQ_runs_an_odd_number_of_nodes_because_quorum_queues_need_a_majority(int replicas, bool allowed)
    {
        var violations = CrdRules.Violations(null, Shop(spec: $$"""{ "version": "1", "rabbitmq": { "provider": "rabbitmq-cluster-operator", "clusterOperator": { "replicas": {{replicas}} } } }"""));
        Assert.Equal(allowed, violations.Count == 0);
        if (!allowed)
        {
            Assert.Contains("must be odd", violations.Single(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(36, true)]
    [InlineData(37, false)]
    public void With_the_RabbitMQ_cluster_operator_the_shop_name_leaves_room_for_its_StatefulSet(int length, bool allowed)
    {
        var name = "s" + new string('a', length - 1);
        var violations = CrdRules.Violations(null, Shop(name, """{ "version": "1", "rabbitmq": { "provider": "rabbitmq-cluster-operator" } }"""));
        Assert.Equal(allowed, violations.Count == 0);
        if (!allowed)
        {
            Assert.Contains("at most 36 characters", violations.Single(), StringComparison.Ordinal);
        }
        Assert.Empty(CrdRules.Violations(null, Shop(name)));
    }

    [Fact]
    public void The_schema_refuses_an_unknown_provider_and_a_backup_without_schedule()
    {
        var crd = YamlJson.Documents(File.ReadAllText(CrdTests.CommittedPath)).Single()!;
        var schema = OfflineSchemas.FromText(crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.ToJsonString());
        bool Valid(string spec) => schema.Evaluate(JsonSerializer.SerializeToElement(JsonNode.Parse(
            $$"""{ "apiVersion": "gomicro.io/v1alpha1", "kind": "GoMicroShop", "metadata": { "name": "shop" }, "spec": {{spec}} }"""))).IsValid;

        Assert.True(Valid(Production));
        Assert.False(Valid("""{ "version": "1", "postgres": { "provider": "crunchy" } }"""));
        Assert.False(Valid("""{ "version": "1", "redis": { "provider": "cloudnative-pg" } }"""));
        Assert.False(Valid("""{ "version": "1", "postgres": { "provider": "cloudnative-pg", "cloudNativePG": { "backup": { "method": "volumeSnapshot" } } } }"""));
        Assert.False(Valid("""{ "version": "1", "postgres": { "provider": "cloudnative-pg", "cloudNativePG": { "backup": { "schedule": "daily", "method": "volumeSnapshot" } } } }"""));
        Assert.False(Valid("""{ "version": "1", "postgres": { "provider": "cloudnative-pg", "cloudNativePG": { "instances": 0 } } }"""));
    }

    [Fact]
    public void Pg_dump_backups_are_for_the_databases_the_shop_runs_itself()
    {
        Assert.Empty(CrdRules.Violations(null, Shop(spec: """{ "version": "1", "postgres": { "backup": { "schedule": "@daily" } } }""")));
        var violations = CrdRules.Violations(null, Shop(spec: """{ "version": "1", "postgres": { "provider": "cloudnative-pg", "backup": { "schedule": "@daily" } } }"""));
        Assert.Contains(violations, v => v.Contains("postgres.backup (pg_dump CronJobs) applies only to postgres.provider statefulset", StringComparison.Ordinal));
    }
}
