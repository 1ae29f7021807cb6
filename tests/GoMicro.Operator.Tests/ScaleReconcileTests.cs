using System.Text.Json.Nodes;
using GoMicro.Operator.Crd;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Tests;

/// <summary>Autoscaling, disruption budgets and backups through the API server: created when asked for, removed when not, and replicas left to the autoscaler.</summary>
[Collection(OperatorCollection.Name)]
public sealed class ScaleReconcileTests(OperatorFixture cluster) : IClassFixture<OperatorFixture>, IAsyncLifetime
{
    public ValueTask InitializeAsync()
    {
        if (cluster.Api.Requests.Count == 0)
        {
            cluster.StartOperator("operator-scale");
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private IKubernetes Kubectl => cluster.Kubectl;

    private async Task PatchShopAsync(string ns, string json) =>
        await Kubectl.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(JsonNode.Parse(json)!, V1Patch.PatchType.MergePatch), GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, "shop");

    private static async Task<bool> ExistsAsync(Func<Task> read)
    {
        try
        {
            await read();
            return true;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private int OperatorApplies(string ns, string deployment)
    {
        lock (cluster.Api.Requests)
        {
            return cluster.Api.Requests.Count(r => r.StartsWith($"PATCH /apis/apps/v1/namespaces/{ns}/deployments/{deployment}?", StringComparison.Ordinal) && r.Contains("fieldManager=gomicro-operator&", StringComparison.Ordinal));
        }
    }

    /// <summary>Waits for the operator to apply the Deployment again, after anything that makes it reconcile (here, a label on the shop).</summary>
    private async Task ReconciledAgainAsync(string ns, string deployment)
    {
        var before = OperatorApplies(ns, deployment);
        await PatchShopAsync(ns, $$"""{ "metadata": { "labels": { "nudge": "{{Guid.NewGuid():N}}" } } }""");
        await cluster.UntilAsync(() => Task.FromResult(OperatorApplies(ns, deployment) > before), "reconciled again");
    }

    [Fact]
    public async Task With_autoscaling_on_the_operator_never_resets_the_replicas_the_autoscaler_chose()
    {
        const string ns = "autoscale";
        await cluster.CreateShopAsync(TestShops.New("shop", ns, s => s.Services.Products.Replicas = 3));
        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Any(d => d.Metadata.Name == "shop-products" && d.Spec.Replicas == 3)
            && (await Kubectl.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(ns)).Items.Any(b => b.Metadata.Name == "shop-products"), "three products pods and their budget");
        Assert.Empty((await Kubectl.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(ns)).Items);
        Assert.Single((await Kubectl.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(ns)).Items); // users, basket, payments and the gateway run one pod

        await PatchShopAsync(ns, """{ "spec": { "services": { "products": { "autoscaling": { "minReplicas": 2, "maxReplicas": 6 } } } } }""");

        await cluster.UntilAsync(async () => await ExistsAsync(() => Kubectl.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("shop-products", ns))
            && (await cluster.GetShopAsync(ns, "shop"))?.Status?.ObservedGeneration == 2, "autoscaler created");
        var hpa = await Kubectl.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("shop-products", ns);
        Assert.Equal(("shop-products", 2, 6), (hpa.Spec.ScaleTargetRef.Name, hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas));
        // Handed over, not dropped: the operator's apply without replicas did not fall back to one pod.
        var products = await Kubectl.AppsV1.ReadNamespacedDeploymentAsync("shop-products", ns);
        Assert.Equal(3, products.Spec.Replicas);
        Assert.DoesNotContain(products.Metadata.ManagedFields, f => f.Manager == "gomicro-operator" && KubernetesJson.Serialize(f.FieldsV1).Contains("\"f:replicas\"", StringComparison.Ordinal));

        // The autoscaler scales up; the operator's next passes leave that alone.
        await Kubectl.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(new { spec = new { replicas = 5 } }, V1Patch.PatchType.MergePatch), "shop-products", ns, fieldManager: "horizontal-pod-autoscaler");
        await ReconciledAgainAsync(ns, "shop-products");
        await ReconciledAgainAsync(ns, "shop-products");
        Assert.Equal(5, (await Kubectl.AppsV1.ReadNamespacedDeploymentAsync("shop-products", ns)).Spec.Replicas);
        Assert.True(await ExistsAsync(() => Kubectl.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("shop-products", ns)));

        // Off again: the autoscaler goes and the spec's replicas are the operator's once more.
        await PatchShopAsync(ns, """{ "spec": { "services": { "products": { "autoscaling": null } } } }""");
        await cluster.UntilAsync(async () => !await ExistsAsync(() => Kubectl.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("shop-products", ns))
            && (await Kubectl.AppsV1.ReadNamespacedDeploymentAsync("shop-products", ns)).Spec.Replicas == 3, "autoscaler removed, replicas from the spec");

        // One pod: no budget (it would block every drain).
        await PatchShopAsync(ns, """{ "spec": { "services": { "products": { "replicas": 1 } } } }""");
        await cluster.UntilAsync(async () => (await Kubectl.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(ns)).Items.Count == 0, "budget removed");
        lock (cluster.Api.Forbidden)
        {
            Assert.Empty(cluster.Api.Forbidden);
        }
    }

    [Fact]
    public async Task A_shop_created_with_autoscaling_gives_the_replicas_to_the_autoscaler_from_the_start()
    {
        const string ns = "autoscale-new";
        await cluster.CreateShopAsync(TestShops.New("shop", ns, s => s.Gateway.Autoscaling = new AutoscalingSpec { MinReplicas = 2, MaxReplicas = 4 }));
        await cluster.UntilAsync(async () => await ExistsAsync(() => Kubectl.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("shop-gateway", ns))
            && await ExistsAsync(() => Kubectl.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("shop-gateway", ns)), "autoscaler and budget of the gateway");

        var gateway = await Kubectl.AppsV1.ReadNamespacedDeploymentAsync("shop-gateway", ns);
        Assert.Null(gateway.Spec.Replicas); // the API server's default (1) until the autoscaler raises it to 2
        Assert.Equal("ScheduleAnyway", gateway.Spec.Template.Spec.TopologySpreadConstraints.Single().WhenUnsatisfiable);
        await Kubectl.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(new { spec = new { replicas = 2 } }, V1Patch.PatchType.MergePatch), "shop-gateway", ns, fieldManager: "horizontal-pod-autoscaler");
        await ReconciledAgainAsync(ns, "shop-gateway");
        Assert.Equal(2, (await Kubectl.AppsV1.ReadNamespacedDeploymentAsync("shop-gateway", ns)).Spec.Replicas);
        // Deleted by hand, the autoscaler comes back like any other child.
        await Kubectl.AutoscalingV2.DeleteNamespacedHorizontalPodAutoscalerAsync("shop-gateway", ns);
        await cluster.UntilAsync(() => ExistsAsync(() => Kubectl.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("shop-gateway", ns)), "autoscaler back");
    }

    [Fact]
    public async Task Backups_turned_on_make_a_CronJob_and_a_volume_per_database_and_turned_off_remove_the_CronJobs_but_keep_the_dumps()
    {
        const string ns = "backup";
        await cluster.CreateShopAsync(TestShops.New("shop", ns, s => s.Postgres.Backup = new PostgresBackupSpec { Schedule = "@daily", Retention = 3 }));
        await cluster.UntilAsync(async () => (await Kubectl.BatchV1.ListNamespacedCronJobAsync(ns)).Items.Count == 3
            && (await Kubectl.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns)).Items.Count == 3, "a CronJob and a volume per database");

        var users = await Kubectl.BatchV1.ReadNamespacedCronJobAsync("shop-users-db", ns);
        Assert.Equal("@daily", users.Spec.Schedule);
        Assert.Equal("shop-users-db-backup", users.Spec.JobTemplate.Spec.Template.Spec.Volumes.Single(v => v.PersistentVolumeClaim is not null).PersistentVolumeClaim.ClaimName);
        Assert.Single(users.Metadata.OwnerReferences);
        var claim = await Kubectl.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("shop-users-db-backup", ns);
        Assert.Null(claim.Metadata.OwnerReferences);

        await PatchShopAsync(ns, """{ "spec": { "postgres": { "backup": null } } }""");

        await cluster.UntilAsync(async () => (await Kubectl.BatchV1.ListNamespacedCronJobAsync(ns)).Items.Count == 0, "CronJobs removed");
        Assert.Equal(["shop-payments-db-backup", "shop-products-db-backup", "shop-users-db-backup"],
            (await Kubectl.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns)).Items.Select(c => c.Metadata.Name).Order());
        // Everything else of the shop is still there.
        Assert.Equal(5, (await Kubectl.AppsV1.ListNamespacedStatefulSetAsync(ns)).Items.Count);
        lock (cluster.Api.Forbidden)
        {
            Assert.Empty(cluster.Api.Forbidden);
        }
    }

    [Fact]
    public async Task Deleting_a_shop_whose_dataRetention_is_Delete_deletes_its_backup_volumes_too()
    {
        const string ns = "backup-delete";
        await cluster.CreateShopAsync(TestShops.New("shop", ns, s => { s.DataRetention = DataRetention.Delete; s.Postgres.Backup = new PostgresBackupSpec(); }));
        await cluster.UntilAsync(async () => (await Kubectl.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns)).Items.Count == 3
            && (await cluster.GetShopAsync(ns, "shop"))!.Metadata.Finalizers?.Contains("gomicro.io/data-retention") == true, "backup volumes and finalizer");

        await Kubectl.CustomObjects.DeleteNamespacedCustomObjectAsync(GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, "shop");

        await cluster.UntilAsync(async () => await cluster.GetShopAsync(ns, "shop") is null, "shop gone");
        Assert.Empty((await Kubectl.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns)).Items);
        await cluster.UntilAsync(async () => (await Kubectl.BatchV1.ListNamespacedCronJobAsync(ns)).Items.Count == 0, "CronJobs collected with their owner");
    }
}
