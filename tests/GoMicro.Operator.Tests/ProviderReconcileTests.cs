using System.Text.Json.Nodes;
using GoMicro.Operator.Crd;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Tests;

/// <summary>The API calls of a data-store operator's custom resources, as a test plays that operator.</summary>
internal static class ProvidedObjects
{
    public static readonly (string Group, string Version, string Plural) Clusters = ("postgresql.cnpg.io", "v1", "clusters");
    public static readonly (string Group, string Version, string Plural) ScheduledBackups = ("postgresql.cnpg.io", "v1", "scheduledbackups");
    public static readonly (string Group, string Version, string Plural) RabbitmqClusters = ("rabbitmq.com", "v1beta1", "rabbitmqclusters");

    public static async Task<List<JsonObject>> ListAsync(this IKubernetes kubectl, string ns, (string Group, string Version, string Plural) kind)
    {
        var raw = await kubectl.CustomObjects.ListNamespacedCustomObjectAsync(kind.Group, kind.Version, ns, kind.Plural);
        return [.. JsonNode.Parse(KubernetesJson.Serialize(raw))!["items"]!.AsArray().Select(i => i!.AsObject())];
    }

    public static Task SetStatusAsync(this IKubernetes kubectl, string ns, (string Group, string Version, string Plural) kind, string name, object status) =>
        kubectl.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(new { status }, V1Patch.PatchType.MergePatch), kind.Group, kind.Version, ns, kind.Plural, name);

    /// <summary>Plays CloudNativePG: the Cluster reports its Ready condition.</summary>
    public static Task ClusterReadyAsync(this IKubernetes kubectl, string ns, string name, bool ready, string message) =>
        kubectl.SetStatusAsync(ns, Clusters, name, new
        {
            instances = 3,
            readyInstances = ready ? 3 : 2,
            phase = ready ? "Cluster in healthy state" : "Waiting for the instances to become active",
            conditions = new[] { new { type = "Ready", status = ready ? "True" : "False", reason = ready ? "ClusterIsReady" : "ClusterIsNotReady", message, lastTransitionTime = DateTime.UtcNow } },
        });

    private static readonly string[] BrokerConditions = ["AllReplicasReady", "ClusterAvailable", "NoWarnings", "ReconcileSuccess"];

    /// <summary>Plays the RabbitMQ cluster operator: every node ready, the current generation reconciled.</summary>
    public static async Task BrokerReadyAsync(this IKubernetes kubectl, string ns, string name)
    {
        var broker = (await kubectl.ListAsync(ns, RabbitmqClusters)).Single(b => b["metadata"]!["name"]!.GetValue<string>() == name);
        await kubectl.SetStatusAsync(ns, RabbitmqClusters, name, new
        {
            observedGeneration = broker["metadata"]!["generation"]!.GetValue<long>(),
            conditions = BrokerConditions.Select(type => new { type, status = "True", reason = "AllGood", lastTransitionTime = DateTime.UtcNow }),
        });
    }
}

/// <summary>A shop on CloudNativePG and the RabbitMQ cluster operator against an API server that serves their kinds.</summary>
[Collection(OperatorCollection.Name)]
public sealed class ProviderReconcileTests(OperatorFixture cluster) : IClassFixture<OperatorFixture>, IAsyncLifetime
{
    public ValueTask InitializeAsync()
    {
        if (cluster.Api.Requests.Count == 0)
        {
            cluster.StartOperator("operator-a");
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        lock (cluster.Api.Forbidden)
        {
            // Every call the providers need is in the chart's RBAC.
            Assert.Empty(cluster.Api.Forbidden);
        }
        return ValueTask.CompletedTask;
    }

    private IKubernetes Kubectl => cluster.Kubectl;

    private async Task<DataStoreStatus?> StoreAsync(string ns, string store) =>
        (await cluster.GetShopAsync(ns, "shop"))?.Status?.DataStores.FirstOrDefault(d => d.Name == store);

    private static V1Condition? Condition(GoMicroShop? shop, string type) => shop?.Status?.Conditions.FirstOrDefault(c => c.Type == type);

    [Fact]
    public async Task A_shop_on_CloudNativePG_and_the_cluster_operator_creates_their_resources_and_is_Ready_only_when_their_conditions_say_so()
    {
        const string ns = "providers";
        await cluster.CreateShopAsync(ProviderResourcesTests.Production("shop", ns: ns));

        await cluster.UntilAsync(async () => (await Kubectl.ListAsync(ns, ProvidedObjects.Clusters)).Count == 3
            && (await Kubectl.ListAsync(ns, ProvidedObjects.ScheduledBackups)).Count == 3
            && (await Kubectl.ListAsync(ns, ProvidedObjects.RabbitmqClusters)).Count == 1
            && (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Count == 5, "Clusters, ScheduledBackups, the RabbitmqCluster and the Deployments created");
        Assert.Equal(["shop-redis"], (await Kubectl.AppsV1.ListNamespacedStatefulSetAsync(ns)).Items.Select(s => s.Metadata.Name));
        await cluster.UntilAsync(async () => (await Kubectl.CoreV1.ListNamespacedSecretAsync(ns)).Items.Count == 4, "credentials created");
        Assert.Equal(["shop-admin", "shop-jwt", "shop-redis", "shop-service-keys"], (await Kubectl.CoreV1.ListNamespacedSecretAsync(ns)).Items.Select(s => s.Metadata.Name).Order());
        var users = (await Kubectl.ListAsync(ns, ProvidedObjects.Clusters)).Single(c => c["metadata"]!["name"]!.GetValue<string>() == "shop-users-db");
        Assert.Null(users["metadata"]!["ownerReferences"]);
        Assert.Equal("gomicro-operator", users["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>());

        // Every pod the shop runs is ready, but CloudNativePG and the cluster operator have not said so yet.
        await cluster.MarkAllReadyAsync(ns);
        await cluster.UntilAsync(async () => (await StoreAsync(ns, "postgres"))?.Message.Contains("no status yet", StringComparison.Ordinal) == true
            && (await StoreAsync(ns, "redis"))?.Ready == true, "stores observed");
        var shop = await cluster.GetShopAsync(ns, "shop");
        Assert.Equal(("False", "ComponentsNotReady"), (Condition(shop, ConditionTypes.Ready)!.Status, Condition(shop, ConditionTypes.Ready)!.Reason));
        Assert.Contains("postgres (cloudnative-pg: Cluster shop-users-db not ready", Condition(shop, ConditionTypes.Ready)!.Message, StringComparison.Ordinal);
        Assert.Equal(("rabbitmq-cluster-operator", false), (shop!.Status.DataStores.Single(d => d.Name == "rabbitmq").Provider, shop.Status.DataStores.Single(d => d.Name == "rabbitmq").Ready));
        Assert.Equal("statefulset", shop.Status.DataStores.Single(d => d.Name == "redis").Provider);

        foreach (var database in new[] { "users", "products", "payments" })
        {
            await Kubectl.ClusterReadyAsync(ns, $"shop-{database}-db", ready: true, "Cluster is Ready");
        }
        await Kubectl.BrokerReadyAsync(ns, "shop-rabbitmq");

        await cluster.UntilAsync(async () => Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Ready)?.Status == "True", "Ready once the providers are");
        var stores = (await cluster.GetShopAsync(ns, "shop"))!.Status.DataStores.ToDictionary(d => d.Name);
        Assert.All(stores.Values, d => Assert.True(d.Ready, d.Message));
        Assert.Contains("shop-payments-db Ready, 3/3 instances", stores["postgres"].Message, StringComparison.Ordinal);
        Assert.Equal("RabbitmqCluster shop-rabbitmq Ready (3 nodes)", stores["rabbitmq"].Message);

        // A primary going away reaches the shop at once, through the watch on Clusters.
        await Kubectl.ClusterReadyAsync(ns, "shop-payments-db", ready: false, "Primary instance is being restarted");
        await cluster.UntilAsync(async () => Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Ready)?.Status == "False", "not Ready while a Cluster is not");
        Assert.Contains("Primary instance is being restarted", (await StoreAsync(ns, "postgres"))!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dropping_the_backup_from_the_spec_removes_the_ScheduledBackups()
    {
        const string ns = "providers-backup";
        await cluster.CreateShopAsync(ProviderResourcesTests.Production("shop", ns: ns));
        await cluster.UntilAsync(async () => (await Kubectl.ListAsync(ns, ProvidedObjects.ScheduledBackups)).Count == 3, "ScheduledBackups created");

        await Kubectl.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(JsonNode.Parse("""{ "spec": { "postgres": { "cloudNativePG": { "backup": null } } } }""")!, V1Patch.PatchType.MergePatch),
            GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, "shop");

        await cluster.UntilAsync(async () => (await Kubectl.ListAsync(ns, ProvidedObjects.ScheduledBackups)).Count == 0, "ScheduledBackups deleted");
        Assert.Equal(3, (await Kubectl.ListAsync(ns, ProvidedObjects.Clusters)).Count);
    }

    [Theory]
    [InlineData(DataRetention.Retain)]
    [InlineData(DataRetention.Delete)]
    public async Task Deleting_a_shop_keeps_its_Clusters_and_RabbitmqCluster_unless_it_says_Delete(DataRetention retention)
    {
        var ns = "providers-" + retention.ToString().ToLowerInvariant();
        await cluster.CreateShopAsync(ProviderResourcesTests.Production("shop", s => s.DataRetention = retention, ns));
        await cluster.UntilAsync(async () => (await Kubectl.ListAsync(ns, ProvidedObjects.Clusters)).Count == 3
            && (await Kubectl.ListAsync(ns, ProvidedObjects.RabbitmqClusters)).Count == 1
            && (await cluster.GetShopAsync(ns, "shop"))?.Status?.ObservedGeneration == 1, "shop reconciled");

        await Kubectl.CustomObjects.DeleteNamespacedCustomObjectAsync(GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, "shop");

        await cluster.UntilAsync(async () => await cluster.GetShopAsync(ns, "shop") is null
            && (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Count == 0, "shop and workloads gone");
        var kept = retention == DataRetention.Retain;
        // Their operators delete a Cluster's or a RabbitmqCluster's volumes and credentials with it.
        Assert.Equal(kept ? 3 : 0, (await Kubectl.ListAsync(ns, ProvidedObjects.Clusters)).Count);
        Assert.Equal(kept ? 3 : 0, (await Kubectl.ListAsync(ns, ProvidedObjects.ScheduledBackups)).Count);
        Assert.Equal(kept ? 1 : 0, (await Kubectl.ListAsync(ns, ProvidedObjects.RabbitmqClusters)).Count);
    }

    [Fact]
    public async Task A_shop_on_external_stores_runs_none_and_is_Ready_with_its_services()
    {
        const string ns = "providers-external";
        await cluster.CreateShopAsync(ProviderResourcesTests.External("shop", ns));
        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Count == 5
            && (await cluster.GetShopAsync(ns, "shop"))?.Status?.ObservedGeneration == 1, "services created");
        Assert.Empty((await Kubectl.AppsV1.ListNamespacedStatefulSetAsync(ns)).Items);

        await cluster.MarkAllReadyAsync(ns);

        await cluster.UntilAsync(async () => Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Ready)?.Status == "True", "Ready");
        var stores = (await cluster.GetShopAsync(ns, "shop"))!.Status.DataStores;
        Assert.All(stores, d => Assert.Equal(("external", true), (d.Provider, d.Ready)));
        Assert.Contains("Secret managed-broker, key rabbitmq", stores.Single(d => d.Name == "rabbitmq").Message, StringComparison.Ordinal);
    }
}

/// <summary>The same shop where neither CloudNativePG nor the RabbitMQ cluster operator is installed (yet).</summary>
[Collection(OperatorCollection.Name)]
public sealed class ProviderNotInstalledTests(OperatorFixture cluster) : IClassFixture<OperatorFixture>
{
    private IKubernetes Kubectl => cluster.Kubectl;

    private static V1Condition? Condition(GoMicroShop? shop, string type) => shop?.Status?.Conditions.FirstOrDefault(c => c.Type == type);

    [Fact]
    public async Task The_shop_is_Degraded_saying_what_to_install_while_everything_else_is_applied_and_recovers_once_it_is()
    {
        foreach (var kind in new[] { "clusters", "scheduledbackups", "rabbitmqclusters" })
        {
            cluster.Api.Hide(kind);
        }
        await using var host = cluster.StartOperator("operator-a");
        const string ns = "not-installed";
        await cluster.CreateShopAsync(ProviderResourcesTests.Production("shop", ns: ns));

        await cluster.UntilAsync(async () => Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Degraded)?.Status == "True", "Degraded");
        var shop = (await cluster.GetShopAsync(ns, "shop"))!;
        var degraded = Condition(shop, ConditionTypes.Degraded)!;
        Assert.Equal("ProviderNotInstalled", degraded.Reason);
        Assert.Contains("does not serve postgresql.cnpg.io/v1 Cluster: install CloudNativePG", degraded.Message, StringComparison.Ordinal);
        Assert.Contains("does not serve rabbitmq.com/v1beta1 RabbitmqCluster: install the RabbitMQ cluster operator", degraded.Message, StringComparison.Ordinal);
        Assert.Equal(("False", "ProviderNotInstalled"), (Condition(shop, ConditionTypes.Ready)!.Status, Condition(shop, ConditionTypes.Ready)!.Reason));
        var postgres = shop.Status.DataStores.Single(d => d.Name == "postgres");
        Assert.Equal(("cloudnative-pg", false), (postgres.Provider, postgres.Ready));
        Assert.StartsWith("CloudNativePG is not installed", postgres.Message, StringComparison.Ordinal);
        // The rest of the shop is there, and the operator still serves and reconciles other shops.
        Assert.Equal(5, (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Count);
        Assert.Equal(["shop-redis"], (await Kubectl.AppsV1.ListNamespacedStatefulSetAsync(ns)).Items.Select(s => s.Metadata.Name));
        Assert.Contains((await Kubectl.EventsV1.ListNamespacedEventAsync(ns)).Items, e => e.Reason == "ProviderNotInstalled" && e.Type == "Warning");
        using (var http = host.CreateHttpClient())
        {
            Assert.True((await http.GetAsync("/healthz/ready")).IsSuccessStatusCode, "a missing provider CRD does not hold the operator's own readiness");
        }
        await cluster.CreateShopAsync(TestShops.New("plain", "not-installed-plain"));
        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedStatefulSetAsync("not-installed-plain")).Items.Count == 5, "a shop on statefulsets is unaffected");

        foreach (var kind in new[] { "clusters", "scheduledbackups", "rabbitmqclusters" })
        {
            cluster.Api.Unhide(kind);
        }

        await cluster.UntilAsync(async () => Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Degraded)?.Status == "False", "no longer Degraded once installed", seconds: 90);
        Assert.Equal(3, (await Kubectl.ListAsync(ns, ProvidedObjects.Clusters)).Count);
        Assert.Single(await Kubectl.ListAsync(ns, ProvidedObjects.RabbitmqClusters));
        lock (cluster.Api.Forbidden)
        {
            Assert.Empty(cluster.Api.Forbidden);
        }
    }
}
