using GoMicro.Operator.Crd;
using GoMicro.Operator.Resources;
using GoMicro.Operator.Resources.Providers;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Controller;

/// <summary>
/// status.dataStores: for each store, its provider and whether what the provider runs is
/// ready, read from what the API server answered: the StatefulSets the shop runs, the
/// conditions other operators write on their resources (a CloudNativePG Cluster's Ready, a
/// RabbitmqCluster's AllReplicasReady and ReconcileSuccess), or nothing for an external store.
/// </summary>
internal static class DataStoreStatusBuilder
{
    public const string CloudNativePGInstall =
        "install CloudNativePG (https://cloudnative-pg.io/documentation/current/installation_upgrade/, e.g. helm upgrade --install cnpg cnpg/cloudnative-pg -n cnpg-system --create-namespace from https://cloudnative-pg.github.io/charts), which serves postgresql.cnpg.io/v1 Cluster and ScheduledBackup";

    public const string ClusterOperatorInstall =
        "install the RabbitMQ cluster operator (https://www.rabbitmq.com/kubernetes/operator/install-operator, e.g. kubectl apply -f https://github.com/rabbitmq/cluster-operator/releases/latest/download/cluster-operator.yml), which serves rabbitmq.com/v1beta1 RabbitmqCluster";

    /// <summary>
    /// What to say when the API server answers 404 to applying <paramref name="desired"/>: its
    /// kind is not served, so the operator it belongs to is not installed. Null for the shop's own kinds.
    /// </summary>
    public static string? NotInstalled(IKubernetesObject<V1ObjectMeta> desired) => desired switch
    {
        CnpgCluster or CnpgScheduledBackup => $"postgres.provider is cloudnative-pg, but the API server does not serve postgresql.cnpg.io/v1 {desired.Kind}: {CloudNativePGInstall}",
        RabbitmqCluster => $"rabbitmq.provider is rabbitmq-cluster-operator, but the API server does not serve rabbitmq.com/v1beta1 RabbitmqCluster: {ClusterOperatorInstall}",
        _ => null,
    };

    /// <param name="applied">Every child as the API server answered its apply.</param>
    /// <param name="notInstalled">The kinds the API server answered 404 for.</param>
    public static List<DataStoreStatus> Build(ShopNames names, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> applied, IReadOnlyCollection<string> notInstalled)
    {
        var spec = names.Shop.Spec;
        var sets = applied.OfType<V1StatefulSet>().ToDictionary(s => s.Metadata.Name, ShopStatusBuilder.Component);
        var databases = Microservices.WithDatabase.Select(ShopSecrets.Database).ToList();
        return
        [
            spec.Postgres.Provider switch
            {
                PostgresProvider.CloudNativePG => notInstalled.Contains(CnpgCluster.KindName)
                    ? NotRunning(StoreProviders.Postgres, spec, "CloudNativePG is not installed: " + CloudNativePGInstall)
                    : Clusters(names, spec, applied.OfType<CnpgCluster>().ToList()),
                PostgresProvider.External => External(StoreProviders.Postgres, spec, spec.Postgres.SecretName, string.Join(", ", Microservices.WithDatabase)),
                _ => Own(StoreProviders.Postgres, spec, [.. databases.Select(names.Of)], sets),
            },
            spec.Redis.Provider switch
            {
                RedisProvider.External => External(StoreProviders.Redis, spec, spec.Redis.SecretName, StoreProviders.ExternalRedisKey),
                _ => Own(StoreProviders.Redis, spec, [names.Of(ShopSecrets.Redis)], sets),
            },
            spec.RabbitMq.Provider switch
            {
                RabbitMqProvider.ClusterOperator => notInstalled.Contains(RabbitmqCluster.KindName)
                    ? NotRunning(StoreProviders.RabbitMq, spec, "the RabbitMQ cluster operator is not installed: " + ClusterOperatorInstall)
                    : Broker(names, spec, applied.OfType<RabbitmqCluster>().SingleOrDefault()),
                RabbitMqProvider.External => External(StoreProviders.RabbitMq, spec, spec.RabbitMq.SecretName, StoreProviders.ExternalRabbitMqKey),
                _ => Own(StoreProviders.RabbitMq, spec, [names.Of(ShopSecrets.RabbitMq)], sets),
            },
        ];
    }

    private static DataStoreStatus Status(string store, GoMicroShopSpec spec, bool ready, string message) =>
        new() { Name = store, Provider = StoreProviders.ProviderName(spec, store), Ready = ready, Message = message };

    private static DataStoreStatus NotRunning(string store, GoMicroShopSpec spec, string message) => Status(store, spec, false, message);

    private static DataStoreStatus Own(string store, GoMicroShopSpec spec, IReadOnlyList<string> names, Dictionary<string, ComponentStatus?> sets)
    {
        var states = names.Select(name => sets.GetValueOrDefault(name) is { } set
            ? (Ready: set.ReadyReplicas >= set.Replicas, Text: $"{name} {set.ReadyReplicas}/{set.Replicas}")
            : (Ready: false, Text: $"{name} not applied")).ToList();
        return Status(store, spec, states.All(s => s.Ready), "StatefulSet " + string.Join(", ", states.Select(s => s.Text)));
    }

    private static DataStoreStatus External(string store, GoMicroShopSpec spec, string? secret, string keys) =>
        Status(store, spec, true, $"Run outside the shop, not checked by the operator (the services' readiness checks report it): Secret {secret}, key {keys}.");

    /// <summary>A Cluster is ready when CloudNativePG says so: its Ready condition (set once every instance is up and the primary serves).</summary>
    private static DataStoreStatus Clusters(ShopNames names, GoMicroShopSpec spec, List<CnpgCluster> clusters)
    {
        var states = Microservices.WithDatabase.Select(service =>
        {
            var name = StoreProviders.ClusterName(names, service);
            if (clusters.FirstOrDefault(c => c.Metadata.Name == name) is not { } cluster)
            {
                return (Ready: false, Text: $"{name} not applied");
            }
            var ready = cluster.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
            var instances = $"{cluster.Status?.ReadyInstances ?? 0}/{cluster.Spec.Instances} instances";
            return ready?.Status == "True"
                ? (Ready: true, Text: $"{name} Ready, {instances}")
                : (Ready: false, Text: $"{name} not ready ({ready?.Message ?? cluster.Status?.Phase ?? "no status yet"}), {instances}");
        }).ToList();
        return Status(StoreProviders.Postgres, spec, states.All(s => s.Ready), "Cluster " + string.Join("; ", states.Select(s => s.Text)));
    }

    private static readonly string[] BrokerReadyConditions = ["AllReplicasReady", "ReconcileSuccess"];

    /// <summary>
    /// A RabbitmqCluster is ready when the cluster operator has reconciled its current
    /// generation (ReconcileSuccess) and every node is ready (AllReplicasReady).
    /// </summary>
    private static DataStoreStatus Broker(ShopNames names, GoMicroShopSpec spec, RabbitmqCluster? broker)
    {
        var name = StoreProviders.BrokerName(names);
        if (broker is null)
        {
            return NotRunning(StoreProviders.RabbitMq, spec, $"RabbitmqCluster {name} not applied");
        }
        var conditions = broker.Status?.Conditions ?? [];
        var current = broker.Status?.ObservedGeneration is { } observed && observed >= (broker.Metadata.Generation ?? 0);
        var waiting = BrokerReadyConditions
            .Select(type => conditions.FirstOrDefault(c => c.Type == type) is { } c ? c : new V1Condition { Type = type, Status = "Unknown" })
            .Where(c => c.Status != "True")
            .Select(c => $"{c.Type} {c.Status}{(string.IsNullOrEmpty(c.Message) ? "" : ": " + c.Message)}")
            .ToList();
        if (!current)
        {
            waiting.Insert(0, "the cluster operator has not observed its current generation yet");
        }
        return waiting.Count == 0
            ? Status(StoreProviders.RabbitMq, spec, true, $"RabbitmqCluster {name} Ready ({broker.Spec.Replicas} nodes)")
            : NotRunning(StoreProviders.RabbitMq, spec, $"RabbitmqCluster {name} not ready: {string.Join("; ", waiting)}");
    }
}
