using System.Diagnostics;
using GoMicro.Operator.Crd;
using GoMicro.Operator.Resources;
using GoMicro.Operator.Resources.Providers;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoMicro.Operator.Controller;

/// <summary>
/// Watches shops and everything they own, and reconciles each changed shop from a work
/// queue. A change to a child (an edited or deleted Deployment, a pod becoming ready)
/// queues its owner, so drift is corrected and the status follows the pods.
/// </summary>
internal sealed partial class ShopController(IKubernetes client, ShopReconciler reconciler, ControllerReadiness readiness, IOptions<OperatorOptions> options, ILoggerFactory loggers)
{
    public const int Workers = 2;

    private readonly ILogger _logger = loggers.CreateLogger<ShopController>();
    private readonly WorkQueue _queue = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var informers = Informers().ToList();
        // The kinds of data-store operators that may not be installed: watched when they are,
        // never waited for (a shop that uses one reports the missing operator in its status).
        var providers = ProviderInformers().ToList();
        var watching = informers.Concat(providers).Select(i => i.RunAsync(cancellationToken)).ToList();
        await Task.WhenAll(informers.Select(i => i.Synced)).WaitAsync(cancellationToken);
        readiness.WatchesSynced(informers.Count);
        LogStarted(_logger, informers.Count);
        var working = Enumerable.Range(0, Workers).Select(_ => WorkAsync(cancellationToken)).ToList();
        try
        {
            await Task.WhenAll([.. watching, .. working]);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One informer per kind, for all namespaces or for each watched one.</summary>
    private IEnumerable<IInformer> Informers()
    {
        const string managed = ShopNames.ManagedByLabel + "=" + ShopNames.ManagedBy;
        IReadOnlyList<string?> scopes = options.Value.Namespaces is { Count: > 0 } namespaces ? [.. namespaces] : [null];
        foreach (var ns in scopes)
        {
            var suffix = ns is null ? "" : $" in {ns}";
            yield return new Informer<GoMicroShop>("GoMicroShop" + suffix,
                async ct =>
                {
                    var raw = ns is null
                        ? await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(GoMicroShop.Group, GoMicroShop.Version, GoMicroShop.Plural, cancellationToken: ct)
                        : await client.CustomObjects.ListNamespacedCustomObjectAsync(GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, cancellationToken: ct);
                    var list = CustomObject.As<GoMicroShopList>(raw);
                    return (list.Items, list.Metadata.ResourceVersion);
                },
                (rv, onError, ct) => AsShops(ns is null
                    ? client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(GoMicroShop.Group, GoMicroShop.Version, GoMicroShop.Plural, allowWatchBookmarks: true, resourceVersion: rv, onError: onError, cancellationToken: ct)
                    : client.CustomObjects.WatchListNamespacedCustomObjectAsync(GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, allowWatchBookmarks: true, resourceVersion: rv, onError: onError, cancellationToken: ct)),
                (type, shop) => Enqueue("GoMicroShop", type, shop.Metadata.NamespaceProperty, shop.Metadata.Name),
                _logger);
            yield return Owned<V1Deployment>("Deployment" + suffix,
                async ct => ns is null
                    ? Page(await client.AppsV1.ListDeploymentForAllNamespacesAsync(labelSelector: managed, cancellationToken: ct))
                    : Page(await client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: managed, cancellationToken: ct)),
                (rv, onError, ct) => ns is null
                    ? client.AppsV1.WatchListDeploymentForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct)
                    : client.AppsV1.WatchListNamespacedDeploymentAsync(ns, allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct));
            yield return Owned<V1StatefulSet>("StatefulSet" + suffix,
                async ct => ns is null
                    ? Page(await client.AppsV1.ListStatefulSetForAllNamespacesAsync(labelSelector: managed, cancellationToken: ct))
                    : Page(await client.AppsV1.ListNamespacedStatefulSetAsync(ns, labelSelector: managed, cancellationToken: ct)),
                (rv, onError, ct) => ns is null
                    ? client.AppsV1.WatchListStatefulSetForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct)
                    : client.AppsV1.WatchListNamespacedStatefulSetAsync(ns, allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct));
            yield return Owned<V1Service>("Service" + suffix,
                async ct => ns is null
                    ? Page(await client.CoreV1.ListServiceForAllNamespacesAsync(labelSelector: managed, cancellationToken: ct))
                    : Page(await client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: managed, cancellationToken: ct)),
                (rv, onError, ct) => ns is null
                    ? client.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct)
                    : client.CoreV1.WatchListNamespacedServiceAsync(ns, allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct));
            yield return Owned<V1ConfigMap>("ConfigMap" + suffix,
                async ct => ns is null
                    ? Page(await client.CoreV1.ListConfigMapForAllNamespacesAsync(labelSelector: managed, cancellationToken: ct))
                    : Page(await client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: managed, cancellationToken: ct)),
                (rv, onError, ct) => ns is null
                    ? client.CoreV1.WatchListConfigMapForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct)
                    : client.CoreV1.WatchListNamespacedConfigMapAsync(ns, allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct));
            yield return Owned<V1NetworkPolicy>("NetworkPolicy" + suffix,
                async ct => ns is null
                    ? Page(await client.NetworkingV1.ListNetworkPolicyForAllNamespacesAsync(labelSelector: managed, cancellationToken: ct))
                    : Page(await client.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, labelSelector: managed, cancellationToken: ct)),
                (rv, onError, ct) => ns is null
                    ? client.NetworkingV1.WatchListNetworkPolicyForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct)
                    : client.NetworkingV1.WatchListNamespacedNetworkPolicyAsync(ns, allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct));
            yield return Owned<V2HorizontalPodAutoscaler>("HorizontalPodAutoscaler" + suffix,
                async ct => ns is null
                    ? Page(await client.AutoscalingV2.ListHorizontalPodAutoscalerForAllNamespacesAsync(labelSelector: managed, cancellationToken: ct))
                    : Page(await client.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(ns, labelSelector: managed, cancellationToken: ct)),
                (rv, onError, ct) => ns is null
                    ? client.AutoscalingV2.WatchListHorizontalPodAutoscalerForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct)
                    : client.AutoscalingV2.WatchListNamespacedHorizontalPodAutoscalerAsync(ns, allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct));
            yield return Owned<V1PodDisruptionBudget>("PodDisruptionBudget" + suffix,
                async ct => ns is null
                    ? Page(await client.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(labelSelector: managed, cancellationToken: ct))
                    : Page(await client.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(ns, labelSelector: managed, cancellationToken: ct)),
                (rv, onError, ct) => ns is null
                    ? client.PolicyV1.WatchListPodDisruptionBudgetForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct)
                    : client.PolicyV1.WatchListNamespacedPodDisruptionBudgetAsync(ns, allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct));
            yield return Owned<V1CronJob>("CronJob" + suffix,
                async ct => ns is null
                    ? Page(await client.BatchV1.ListCronJobForAllNamespacesAsync(labelSelector: managed, cancellationToken: ct))
                    : Page(await client.BatchV1.ListNamespacedCronJobAsync(ns, labelSelector: managed, cancellationToken: ct)),
                (rv, onError, ct) => ns is null
                    ? client.BatchV1.WatchListCronJobForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct)
                    : client.BatchV1.WatchListNamespacedCronJobAsync(ns, allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct));
        }
    }

    /// <summary>
    /// The CloudNativePG Clusters and RabbitmqClusters the operator wrote, so that their
    /// readiness reaches the shop's status at once. They carry no owner reference (they outlive a
    /// shop that keeps its data), so an event queues the shop their instance label names.
    /// </summary>
    private IEnumerable<IInformer> ProviderInformers()
    {
        IReadOnlyList<string?> scopes = options.Value.Namespaces is { Count: > 0 } namespaces ? [.. namespaces] : [null];
        foreach (var ns in scopes)
        {
            var suffix = ns is null ? "" : $" in {ns}";
            yield return Provided<CnpgCluster>("Cluster" + suffix, ns, CnpgCluster.Group, CnpgCluster.Version, CnpgCluster.Plural);
            yield return Provided<RabbitmqCluster>("RabbitmqCluster" + suffix, ns, RabbitmqCluster.Group, RabbitmqCluster.Version, RabbitmqCluster.Plural);
        }
    }

    private Informer<T> Provided<T>(string kind, string? ns, string group, string version, string plural) where T : IKubernetesObject<V1ObjectMeta>
    {
        const string managed = ShopNames.ManagedByLabel + "=" + ShopNames.ManagedBy;
        return new Informer<T>(kind,
            async ct =>
            {
                var raw = ns is null
                    ? await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(group, version, plural, labelSelector: managed, cancellationToken: ct)
                    : await client.CustomObjects.ListNamespacedCustomObjectAsync(group, version, ns, plural, labelSelector: managed, cancellationToken: ct);
                var list = CustomObject.As<ProvidedList<T>>(raw);
                return (list.Items, list.Metadata.ResourceVersion);
            },
            (rv, onError, ct) => As<T>(ns is null
                ? client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(group, version, plural, allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct)
                : client.CustomObjects.WatchListNamespacedCustomObjectAsync(group, version, ns, plural, allowWatchBookmarks: true, labelSelector: managed, resourceVersion: rv, onError: onError, cancellationToken: ct)),
            (type, child) =>
            {
                if (child.Metadata.Labels is { } labels && labels.TryGetValue(ShopNames.InstanceLabel, out var shop) && shop.Length > 0)
                {
                    Enqueue(kind, type, child.Metadata.NamespaceProperty, shop);
                }
            },
            _logger,
            optional: true);
    }

    private static async IAsyncEnumerable<(WatchEventType, T)> As<T>(IAsyncEnumerable<(WatchEventType, object)> events)
    {
        await foreach (var (type, raw) in events)
        {
            yield return (type, CustomObject.As<T>(raw));
        }
    }

    private sealed class ProvidedList<T>
    {
        [System.Text.Json.Serialization.JsonPropertyName("metadata")]
        public V1ListMeta Metadata { get; set; } = new();

        [System.Text.Json.Serialization.JsonPropertyName("items")]
        public IList<T> Items { get; set; } = [];
    }

    private static (IList<T> Items, string ResourceVersion) Page<T>(IItems<T> list) where T : IKubernetesObject =>
        (list.Items, ((IMetadata<V1ListMeta>)list).Metadata.ResourceVersion);

    private static async IAsyncEnumerable<(WatchEventType, GoMicroShop)> AsShops(IAsyncEnumerable<(WatchEventType, object)> events)
    {
        await foreach (var (type, raw) in events)
        {
            yield return (type, CustomObject.As<GoMicroShop>(raw));
        }
    }

    /// <summary>A child's events queue the shop that controls it.</summary>
    private Informer<T> Owned<T>(string kind,
        Func<CancellationToken, Task<(IList<T> Items, string ResourceVersion)>> list,
        Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch) where T : IKubernetesObject<V1ObjectMeta> =>
        new(kind,
            async ct => { var (items, rv) = await list(ct); return (items, rv); },
            watch,
            (type, child) =>
            {
                var owner = child.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == GoMicroShop.KindName && o.ApiVersion == GoMicroShop.GroupVersion);
                if (owner is not null)
                {
                    Enqueue(kind, type, child.Metadata.NamespaceProperty, owner.Name);
                }
            },
            _logger);

    private void Enqueue(string kind, WatchEventType type, string ns, string name)
    {
        OperatorMetrics.WatchEvents.WithLabels(kind, type.ToString()).Inc();
        _queue.Add($"{ns}/{name}");
        OperatorMetrics.QueueDepth.Set(_queue.Depth);
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string key;
            try
            {
                key = await _queue.TakeAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            OperatorMetrics.QueueDepth.Set(_queue.Depth);
            var (ns, name) = (key[..key.IndexOf('/', StringComparison.Ordinal)], key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..]);
            var started = Stopwatch.GetTimestamp();
            try
            {
                var again = await reconciler.ReconcileAsync(ns, name, cancellationToken);
                _queue.Succeeded(key);
                if (again is { } delay)
                {
                    _queue.AddAfter(key, delay, cancellationToken);
                }
                OperatorMetrics.Reconciliations.WithLabels("success").Inc();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var delay = _queue.Failed(key, cancellationToken);
                OperatorMetrics.Reconciliations.WithLabels("error").Inc();
                OperatorMetrics.ShopReconcileErrors.WithLabels(ns, name).Inc();
                LogFailed(_logger, key, delay.TotalSeconds, e);
            }
            finally
            {
                OperatorMetrics.ReconcileDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                _queue.Done(key);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller started: {Informers} watches synced, reconciling")]
    private static partial void LogStarted(ILogger logger, int informers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciling {Shop} failed; again in {Seconds} s")]
    private static partial void LogFailed(ILogger logger, string shop, double seconds, Exception exception);
}
