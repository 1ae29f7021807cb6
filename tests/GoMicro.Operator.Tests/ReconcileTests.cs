using GoMicro.Operator.Crd;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Tests;

/// <summary>The operator against an API server: what a platform engineer sees after `kubectl apply`.</summary>
[Collection(OperatorCollection.Name)]
public sealed class ReconcileTests(OperatorFixture cluster) : IClassFixture<OperatorFixture>, IAsyncLifetime
{
    public ValueTask InitializeAsync()
    {
        if (cluster.Api.Requests.Count == 0)
        {
            cluster.StartOperator("operator-a");
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private IKubernetes Kubectl => cluster.Kubectl;

    [Fact]
    public async Task A_new_shop_gets_every_part_by_server_side_apply_and_becomes_ready_when_its_pods_are()
    {
        const string ns = "create";
        await cluster.CreateShopAsync(TestShops.New("shop", ns));

        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Count == 5
            && (await Kubectl.AppsV1.ListNamespacedStatefulSetAsync(ns)).Items.Count == 5
            && (await Kubectl.CoreV1.ListNamespacedServiceAsync(ns)).Items.Count == 11
            && (await Kubectl.CoreV1.ListNamespacedConfigMapAsync(ns)).Items.Count == 1, "every child created");
        var shop = (await cluster.GetShopAsync(ns, "shop"))!;
        Assert.DoesNotContain("gomicro.io/data-retention", shop.Metadata.Finalizers ?? []); // Retain: nothing for a finalizer to do
        var users = await Kubectl.AppsV1.ReadNamespacedDeploymentAsync("shop-users", ns);
        Assert.Equal(shop.Metadata.Uid, users.Metadata.OwnerReferences.Single().Uid);
        Assert.Equal("gomicro-operator", users.Metadata.ManagedFields.Single().Manager);
        List<string> requests;
        lock (cluster.Api.Requests)
        {
            requests = [.. cluster.Api.Requests]; // the operator keeps adding to it
        }
        Assert.Contains(requests, r => r.StartsWith($"PATCH /apis/apps/v1/namespaces/{ns}/deployments/shop-users?", StringComparison.Ordinal) && r.Contains("fieldManager=gomicro-operator", StringComparison.Ordinal) && r.Contains("force=true", StringComparison.Ordinal));

        var secrets = (await Kubectl.CoreV1.ListNamespacedSecretAsync(ns)).Items.Select(s => s.Metadata.Name).Order();
        Assert.Equal(["shop-admin", "shop-jwt", "shop-payments-db", "shop-products-db", "shop-rabbitmq", "shop-redis", "shop-service-keys", "shop-users-db"], secrets);

        await cluster.UntilAsync(async () => Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Progressing)?.Status == "True", "Progressing while pods start");
        shop = (await cluster.GetShopAsync(ns, "shop"))!;
        Assert.Equal("False", Condition(shop, ConditionTypes.Ready)!.Status);
        Assert.Equal("ComponentsNotReady", Condition(shop, ConditionTypes.Ready)!.Reason);
        Assert.Equal(1, shop.Status.ObservedGeneration);
        Assert.Equal("http://shop-gateway.create.svc:8085", shop.Status.Gateway);

        await cluster.MarkAllReadyAsync(ns);
        await cluster.UntilAsync(async () => Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Ready)?.Status == "True", "Ready once every pod is");
        shop = (await cluster.GetShopAsync(ns, "shop"))!;
        Assert.Equal("False", Condition(shop, ConditionTypes.Progressing)!.Status);
        Assert.Equal("False", Condition(shop, ConditionTypes.Degraded)!.Status);
        Assert.Equal(10, shop.Status.Components.Count);
        Assert.All(shop.Status.Components, c => Assert.Equal(c.Replicas, c.ReadyReplicas));

        var events = (await Kubectl.EventsV1.ListNamespacedEventAsync(ns)).Items;
        Assert.Contains(events, e => e.Reason == "Ready" && e.Regarding.Name == "shop" && e.ReportingController == "gomicro.io/gomicro-operator");
        Assert.Contains(events, e => e.Reason == "CredentialsCreated");
    }

    [Fact]
    public async Task Credentials_are_generated_once_and_never_rewritten()
    {
        const string ns = "secrets";
        await cluster.CreateShopAsync(TestShops.New("shop", ns));
        await cluster.UntilAsync(async () => (await Kubectl.CoreV1.ListNamespacedSecretAsync(ns)).Items.Count == 8
            && (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Any(d => d.Metadata.Name == "shop-users"), "secrets and workloads created");
        var before = (await Kubectl.CoreV1.ReadNamespacedSecretAsync("shop-users-db", ns)).Metadata.ResourceVersion;

        await Kubectl.AppsV1.DeleteNamespacedDeploymentAsync("shop-users", ns); // forces another reconciliation
        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Any(d => d.Metadata.Name == "shop-users"), "deployment back");

        Assert.Equal(before, (await Kubectl.CoreV1.ReadNamespacedSecretAsync("shop-users-db", ns)).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_deleted_or_edited_child_comes_back_as_the_spec_says()
    {
        const string ns = "drift";
        await cluster.CreateShopAsync(TestShops.New("shop", ns, s => s.Services.Products.Replicas = 2));
        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Count == 5, "deployments created");

        await Kubectl.AppsV1.DeleteNamespacedDeploymentAsync("shop-basket", ns);
        await Kubectl.CoreV1.DeleteNamespacedConfigMapAsync("shop-gateway", ns);
        await Kubectl.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(new { spec = new { replicas = 7 } }, V1Patch.PatchType.MergePatch), "shop-products", ns);
        await Kubectl.AppsV1.PatchNamespacedStatefulSetAsync(new V1Patch(new { spec = new { template = new { spec = new { containers = new[] { new { name = "postgres", image = "postgres:9" } } } } } }, V1Patch.PatchType.MergePatch), "shop-users-db", ns);

        await cluster.UntilAsync(async () =>
            (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Any(d => d.Metadata.Name == "shop-basket")
            && (await Kubectl.CoreV1.ListNamespacedConfigMapAsync(ns)).Items.Any(c => c.Metadata.Name == "shop-gateway")
            && (await Kubectl.AppsV1.ReadNamespacedDeploymentAsync("shop-products", ns)).Spec.Replicas == 2
            && (await Kubectl.AppsV1.ReadNamespacedStatefulSetAsync("shop-users-db", ns)).Spec.Template.Spec.Containers[0].Image == new GoMicroShopSpec().Postgres.Image,
            "drift corrected");
    }

    [Fact]
    public async Task A_spec_change_rolls_out_and_the_status_names_the_generation_it_describes()
    {
        const string ns = "update";
        var shop = await cluster.CreateShopAsync(TestShops.New("shop", ns));
        await cluster.UntilAsync(async () => (await cluster.GetShopAsync(ns, "shop"))?.Status?.ObservedGeneration == 1, "first generation observed");

        await Kubectl.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(new { spec = new { version = "1.1.0", services = new { payments = new { replicas = 3 } } } }, V1Patch.PatchType.MergePatch),
            GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, "shop");

        await cluster.UntilAsync(async () =>
        {
            var payments = await Kubectl.AppsV1.ReadNamespacedDeploymentAsync("shop-payments", ns);
            return payments.Spec.Replicas == 3 && payments.Spec.Template.Spec.Containers[0].Image == "ghcr.io/gomicro/payments:1.1.0";
        }, "new replicas and image applied");
        await cluster.UntilAsync(async () => (await cluster.GetShopAsync(ns, "shop"))?.Status?.ObservedGeneration == 2, "second generation observed");
        Assert.All((await cluster.GetShopAsync(ns, "shop"))!.Status.Conditions, c => Assert.Equal(2, c.ObservedGeneration));
        Assert.Equal(shop.Metadata.Uid, (await Kubectl.AppsV1.ReadNamespacedDeploymentAsync("shop-payments", ns)).Metadata.OwnerReferences[0].Uid);
    }

    [Fact]
    public async Task After_the_API_server_expires_its_watches_the_operator_lists_again_and_still_corrects_drift()
    {
        const string ns = "expiry";
        await cluster.CreateShopAsync(TestShops.New("shop", ns));
        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Count == 5, "deployments created");
        int Lists()
        {
            lock (cluster.Api.Requests)
            {
                return cluster.Api.Requests.Count(r => r.StartsWith("GET /apis/apps/v1/deployments?", StringComparison.Ordinal) && r.Contains("watch=false", StringComparison.Ordinal));
            }
        }
        var before = Lists();

        cluster.Api.ExpireWatches();

        await cluster.UntilAsync(() => Task.FromResult(Lists() > before), "deployments listed again after 410 Expired");
        await Kubectl.AppsV1.DeleteNamespacedDeploymentAsync("shop-gateway", ns);
        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Any(d => d.Metadata.Name == "shop-gateway"), "drift corrected through the new watch");
    }

    [Fact]
    public async Task A_child_the_API_server_refuses_makes_the_shop_Degraded_while_the_rest_still_rolls_out()
    {
        const string ns = "refused";
        await cluster.CreateShopAsync(TestShops.New("shop", ns));
        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedStatefulSetAsync(ns)).Items.Count == 5, "stores created");
        cluster.Api.RefuseWrites(ns, "statefulsets", "shop-users-db");

        await Kubectl.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(new { spec = new { version = "2.0.0" } }, V1Patch.PatchType.MergePatch), GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, "shop");

        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ReadNamespacedDeploymentAsync("shop-users", ns)).Spec.Template.Spec.Containers[0].Image.EndsWith(":2.0.0", StringComparison.Ordinal), "services upgraded");
        await cluster.UntilAsync(async () => Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Degraded)?.Status == "True", "Degraded");
        var shop = (await cluster.GetShopAsync(ns, "shop"))!;
        Assert.Contains("StatefulSet shop-users-db (422)", Condition(shop, ConditionTypes.Degraded)!.Message, StringComparison.Ordinal);
        Assert.Equal(("False", "ReconcileFailed"), (Condition(shop, ConditionTypes.Ready)!.Status, Condition(shop, ConditionTypes.Ready)!.Reason));
        Assert.Contains((await Kubectl.EventsV1.ListNamespacedEventAsync(ns)).Items, e => e.Reason == "ReconcileFailed" && e.Type == "Warning");
    }

    [Fact]
    public async Task A_shop_carries_the_finalizer_only_while_it_has_data_to_delete()
    {
        const string ns = "finalizer-switch";
        await cluster.CreateShopAsync(TestShops.New("shop", ns, s => s.DataRetention = DataRetention.Delete));
        await cluster.UntilAsync(async () => (await cluster.GetShopAsync(ns, "shop"))!.Metadata.Finalizers?.Contains("gomicro.io/data-retention") == true, "finalizer added");

        await Kubectl.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(new { spec = new { dataRetention = "Retain" } }, V1Patch.PatchType.MergePatch),
            GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, "shop");

        // Without it, deleting the shop needs no operator: an uninstall in any order cannot hang.
        await cluster.UntilAsync(async () => (await cluster.GetShopAsync(ns, "shop"))!.Metadata.Finalizers?.Contains("gomicro.io/data-retention") != true, "finalizer removed");
    }

    [Theory]
    [InlineData(DataRetention.Retain)]
    [InlineData(DataRetention.Delete)]
    public async Task Deleting_a_shop_removes_its_workloads_and_keeps_its_data_unless_told_otherwise(DataRetention retention)
    {
        var ns = "delete-" + retention.ToString().ToLowerInvariant();
        await cluster.CreateShopAsync(TestShops.New("shop", ns, s => s.DataRetention = retention));
        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedStatefulSetAsync(ns)).Items.Count == 5
            && (await Kubectl.CoreV1.ListNamespacedSecretAsync(ns)).Items.Count == 8, "shop created");
        // The StatefulSet controller would make this claim from the volumeClaimTemplate; the fake has none, so the test does.
        var template = (await Kubectl.AppsV1.ReadNamespacedStatefulSetAsync("shop-users-db", ns)).Spec.VolumeClaimTemplates[0];
        await Kubectl.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = "data-shop-users-db-0", Labels = template.Metadata.Labels },
            Spec = template.Spec,
        }, ns);

        var finalizers = (await cluster.GetShopAsync(ns, "shop"))!.Metadata.Finalizers ?? [];
        Assert.Equal(retention == DataRetention.Delete, finalizers.Contains("gomicro.io/data-retention"));

        await Kubectl.CustomObjects.DeleteNamespacedCustomObjectAsync(GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, "shop");

        await cluster.UntilAsync(async () => await cluster.GetShopAsync(ns, "shop") is null, "shop gone");
        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Count == 0
            && (await Kubectl.AppsV1.ListNamespacedStatefulSetAsync(ns)).Items.Count == 0, "workloads collected");
        var claims = (await Kubectl.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns)).Items;
        var secrets = (await Kubectl.CoreV1.ListNamespacedSecretAsync(ns)).Items;
        var events = (await Kubectl.EventsV1.ListNamespacedEventAsync(ns)).Items;
        if (retention == DataRetention.Retain)
        {
            Assert.Single(claims);
            Assert.Equal(8, secrets.Count);
        }
        else
        {
            Assert.Empty(claims);
            Assert.Empty(secrets);
            Assert.Contains(events, e => e.Reason == "DataDeleted");
        }
    }

    [Fact]
    public async Task A_store_given_in_part_gets_that_stores_own_defaults_for_the_rest()
    {
        const string ns = "partial-store";
        await cluster.CreateShopAsync(ns, """
            { "apiVersion": "gomicro.io/v1alpha1", "kind": "GoMicroShop", "metadata": { "name": "shop" },
              "spec": { "version": "1.0.0", "rabbitmq": { "storageSize": "2Gi" }, "redis": { "resources": { "cpu": "200m" } } } }
            """);

        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedStatefulSetAsync(ns)).Items.Count == 5, "stores created");
        var broker = (await Kubectl.AppsV1.ReadNamespacedStatefulSetAsync("shop-rabbitmq", ns)).Spec.Template.Spec.Containers[0];
        Assert.Equal("512Mi", broker.Resources.Limits["memory"].ToString());
        Assert.Equal(new GoMicroShopSpec().RabbitMq.Image, broker.Image);
        var cache = (await Kubectl.AppsV1.ReadNamespacedStatefulSetAsync("shop-redis", ns)).Spec.Template.Spec.Containers[0];
        Assert.Equal(("200m", new GoMicroShopSpec().Redis.Resources.Memory), (cache.Resources.Requests["cpu"].ToString(), cache.Resources.Requests["memory"].ToString()));
    }

    [Fact]
    public async Task Adding_a_storage_class_to_a_running_shop_is_refused_at_the_API_and_the_shop_stays_healthy()
    {
        const string ns = "storage-class";
        await cluster.CreateShopAsync(TestShops.New("shop", ns));
        await cluster.UntilAsync(async () => (await cluster.GetShopAsync(ns, "shop"))?.Status?.ObservedGeneration == 1, "first generation observed");

        var refused = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => Kubectl.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(new { spec = new { postgres = new { storageClassName = "fast" } } }, V1Patch.PatchType.MergePatch),
            GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, "shop"));

        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, refused.Response.StatusCode);
        Assert.Contains("storageClassName cannot be added, changed or removed", refused.Response.Content, StringComparison.Ordinal);
        var shop = (await cluster.GetShopAsync(ns, "shop"))!;
        Assert.Null(shop.Spec.Postgres.StorageClassName);
        Assert.NotEqual("True", Condition(shop, ConditionTypes.Degraded)?.Status);
    }

    [Fact]
    public async Task A_credentials_Secret_deleted_by_hand_is_made_again_at_the_next_reconciliation_with_a_warning()
    {
        const string ns = "secret-deleted";
        await cluster.CreateShopAsync(TestShops.New("shop", ns));
        await cluster.UntilAsync(async () => (await Kubectl.CoreV1.ListNamespacedSecretAsync(ns)).Items.Count == 8
            && (await cluster.GetShopAsync(ns, "shop"))?.Status?.ObservedGeneration == 1, "shop reconciled");

        await Kubectl.CoreV1.DeleteNamespacedSecretAsync("shop-redis", ns);
        // Anything that makes the operator look at the shop again; here, a label.
        await Kubectl.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(new { metadata = new { labels = new Dictionary<string, string> { ["touched"] = "yes" } } }, V1Patch.PatchType.MergePatch),
            GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, "shop");

        await cluster.UntilAsync(async () => (await Kubectl.CoreV1.ListNamespacedSecretAsync(ns)).Items.Any(s => s.Metadata.Name == "shop-redis"), "the Secret made again");
        var warning = Assert.Single((await Kubectl.EventsV1.ListNamespacedEventAsync(ns)).Items, e => e.Reason == "CredentialsRecreated");
        Assert.Equal("Warning", warning.Type);
        Assert.Contains("shop-redis", warning.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_the_operator_does_in_a_shops_whole_life_is_refused_by_its_charts_RBAC()
    {
        const string ns = "rbac";
        await cluster.CreateShopAsync(TestShops.New("shop", ns, s => s.DataRetention = DataRetention.Delete));
        await cluster.UntilAsync(async () => (await cluster.GetShopAsync(ns, "shop"))?.Status?.ObservedGeneration == 1, "reconciled");
        await cluster.MarkAllReadyAsync(ns);
        await Kubectl.AppsV1.DeleteNamespacedDeploymentAsync("shop-basket", ns);
        await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Any(d => d.Metadata.Name == "shop-basket"), "drift corrected");
        await Kubectl.CustomObjects.DeleteNamespacedCustomObjectAsync(GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, "shop");
        await cluster.UntilAsync(async () => await cluster.GetShopAsync(ns, "shop") is null, "finalized and gone");

        lock (cluster.Api.Forbidden)
        {
            Assert.Empty(cluster.Api.Forbidden);
        }
    }

    private static V1Condition? Condition(GoMicroShop? shop, string type) => shop?.Status?.Conditions.FirstOrDefault(c => c.Type == type);
}
