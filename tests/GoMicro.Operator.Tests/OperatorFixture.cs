using GoMicro.Operator.Crd;
using GoMicro.Testing;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Tests;

/// <summary>
/// Operator tests share one process's metrics registry and contend for the CPU with their
/// lease timings, so their classes run one after another.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OperatorCollection
{
    public const string Name = "operator";
}

/// <summary>The fake API server, a client acting as kubectl, and operator instances running in-process against it.</summary>
public sealed class OperatorFixture : IAsyncLifetime
{
    private readonly List<ServiceHost<Program>> _operators = [];

    public FakeApiServer Api { get; } = new();

    public IKubernetes Kubectl { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Api.StartAsync();
        // Everything the operator asks must be allowed by the RBAC its chart installs.
        Api.EnforceRbac(Charts.ChartRbac.Authorizer());
        Kubectl = new Kubernetes(new KubernetesClientConfiguration { Host = Api.Address.ToString(), AccessToken = FakeApiServer.AdminToken });
    }

    public ServiceHost<Program> StartOperator(string identity, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var host = new ServiceHost<Program>(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Operator:KubernetesHost"] = Api.Address.ToString(),
            ["Operator:Identity"] = identity,
            ["Operator:LeaseNamespace"] = "gomicro-system",
            ["Operator:LeaseDuration"] = "00:00:06",
            ["Operator:RenewDeadline"] = "00:00:04",
            ["Operator:RetryPeriod"] = "00:00:01",
        }).Start();
        _operators.Add(host);
        return host;
    }

    public async Task<GoMicroShop> CreateShopAsync(GoMicroShop shop)
    {
        shop.Metadata.Uid = null;
        shop.Metadata.Generation = null;
        var created = await Kubectl.CustomObjects.CreateNamespacedCustomObjectAsync(shop, GoMicroShop.Group, GoMicroShop.Version, shop.Metadata.NamespaceProperty, GoMicroShop.Plural);
        return CustomObject.As<GoMicroShop>(created);
    }

    /// <summary>Creates a shop from the JSON a user would write, so the API server's defaults fill in the rest.</summary>
    public async Task CreateShopAsync(string ns, string json) =>
        await Kubectl.CustomObjects.CreateNamespacedCustomObjectAsync(System.Text.Json.Nodes.JsonNode.Parse(json)!, GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural);

    public async Task<GoMicroShop?> GetShopAsync(string ns, string name)
    {
        try
        {
            var raw = await Kubectl.CustomObjects.GetNamespacedCustomObjectAsync(GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, name);
            return CustomObject.As<GoMicroShop>(raw);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Plays the Deployment and StatefulSet controllers: every pod of every workload in the namespace is ready.</summary>
    public async Task MarkAllReadyAsync(string ns)
    {
        foreach (var d in (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items)
        {
            await Kubectl.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch(new { status = new { observedGeneration = d.Metadata.Generation, replicas = d.Spec.Replicas, readyReplicas = d.Spec.Replicas, updatedReplicas = d.Spec.Replicas, availableReplicas = d.Spec.Replicas } }, V1Patch.PatchType.MergePatch), d.Metadata.Name, ns);
        }
        foreach (var s in (await Kubectl.AppsV1.ListNamespacedStatefulSetAsync(ns)).Items)
        {
            await Kubectl.AppsV1.PatchNamespacedStatefulSetStatusAsync(new V1Patch(new { status = new { observedGeneration = s.Metadata.Generation, replicas = s.Spec.Replicas, readyReplicas = s.Spec.Replicas, updatedReplicas = s.Spec.Replicas, currentRevision = "r1", updateRevision = "r1" } }, V1Patch.PatchType.MergePatch), s.Metadata.Name, ns);
        }
    }

    /// <summary>Waits for a state; on time-out the message shows the API requests last made, which say what the operator did.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        try
        {
            await Eventually.UntilAsync(condition, seconds, what);
        }
        catch (TimeoutException e)
        {
            List<string> last;
            lock (Api.Requests)
            {
                last = [.. Api.Requests.Where(r => !r.Contains("/leases/", StringComparison.Ordinal) && !r.EndsWith("?watch=false", StringComparison.Ordinal)).TakeLast(20)];
            }
            List<string> forbidden;
            lock (Api.Forbidden)
            {
                forbidden = [.. Api.Forbidden];
            }
            throw new TimeoutException($"{e.Message}; refused by the chart's RBAC: [{string.Join(", ", forbidden)}]; last writes:\n{string.Join("\n", last)}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _operators)
        {
            await host.DisposeAsync();
        }
        Kubectl?.Dispose();
        await Api.DisposeAsync();
    }
}
