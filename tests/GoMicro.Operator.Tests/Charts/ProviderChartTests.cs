using GoMicro.Operator.Crd;
using k8s;
using static GoMicro.Operator.Tests.Charts.RenderedObjects;

namespace GoMicro.Operator.Tests.Charts;

/// <summary>The shop chart with data-store providers: what a production install passes as values.</summary>
public sealed class ProviderChartTests
{
    /// <summary>The README's production-shaped spec, as Helm values.</summary>
    public const string ProductionValues = """
        { "spec": {
            "version": "1.0.0",
            "services": { "users": { "replicas": 2 }, "products": { "replicas": 2 }, "basket": { "replicas": 2 }, "payments": { "replicas": 2 } },
            "gateway": { "replicas": 2, "serviceType": "LoadBalancer" },
            "postgres": { "provider": "cloudnative-pg", "storageSize": "20Gi", "storageClassName": "fast",
                          "resources": { "cpu": "500m", "memory": "1Gi" },
                          "cloudNativePG": { "instances": 3, "backup": { "schedule": "0 0 3 * * *", "method": "barmanCloudPlugin", "objectStoreName": "shop-backups" } } },
            "rabbitmq": { "provider": "rabbitmq-cluster-operator", "storageSize": "10Gi", "resources": { "cpu": "500m", "memory": "2Gi" },
                          "clusterOperator": { "replicas": 3 } },
            "redis": { "provider": "external", "secretName": "shop-redis-managed" },
            "dataRetention": "Retain" } }
        """;

    [Fact]
    public void The_shop_chart_renders_a_production_shaped_shop_the_CRD_and_its_rules_accept()
    {
        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", Helm.Lint(ChartTests.ShopChart, Helm.Values(ProductionValues)), StringComparison.Ordinal);
        var shop = Helm.Template(ChartTests.ShopChart, "shop", "gomicro", Helm.Values(ProductionValues)).Single();

        AssertValid([shop]);
        var stored = shop.DeepClone().AsObject();
        CrdRules.ApplyDefaults(stored);
        Assert.Empty(CrdRules.Violations(null, stored));
        var typed = KubernetesJson.Deserialize<GoMicroShop>(stored.ToJsonString());
        Assert.Equal((PostgresProvider.CloudNativePG, RabbitMqProvider.ClusterOperator, RedisProvider.External),
            (typed.Spec.Postgres.Provider, typed.Spec.RabbitMq.Provider, typed.Spec.Redis.Provider));
        Assert.Equal(CloudNativePGBackupMethod.BarmanCloudPlugin, typed.Spec.Postgres.CloudNativePG!.Backup!.Method);
    }

    [Theory]
    [InlineData("""{ "spec": { "postgres": { "provider": "crunchy" } } }""")]
    [InlineData("""{ "spec": { "redis": { "provider": "rabbitmq-cluster-operator" } } }""")]
    [InlineData("""{ "spec": { "postgres": { "cloudNativePG": { "instancse": 3 } } } }""")]
    public void Helm_refuses_a_provider_the_CRD_would_not_take(string values)
    {
        var refused = Assert.Throws<HelmException>(() => Helm.Template(ChartTests.ShopChart, "shop", "gomicro", Helm.Values(values)));
        Assert.Contains("values don't meet the specifications of the schema", refused.Message, StringComparison.Ordinal);
    }
}
