using GoMicro.Operator.Crd;
using k8s;
using k8s.Models;
using static GoMicro.Operator.Resources.PodParts;

namespace GoMicro.Operator.Resources.Providers;

/// <summary>
/// Who runs each data store, and what follows from it: the objects the shop writes for the
/// store's operator (a CloudNativePG Cluster per database, a RabbitmqCluster), where the
/// services find the store and its credentials, and which pods a NetworkPolicy guards.
///
/// The objects that hold a store's data (Cluster, RabbitmqCluster, and the ScheduledBackups that
/// protect a Cluster) carry no owner reference: deleting them deletes their volumes and
/// credentials (their operators own those), so, like the shop's own volumes and Secrets, they
/// outlive the shop unless its dataRetention is Delete, when the finalizer deletes them.
/// </summary>
internal static class StoreProviders
{
    public const string Postgres = "postgres";
    public const string Redis = "redis";
    public const string RabbitMq = "rabbitmq";

    /// <summary>CloudNativePG labels every pod of a Cluster (instances and jobs) with it.</summary>
    public const string CnpgClusterLabel = "cnpg.io/cluster";

    /// <summary>The Barman Cloud Plugin, CloudNativePG's way to object storage (WAL archive and base backups).</summary>
    public const string BarmanCloudPlugin = "barman-cloud.cloudnative-pg.io";

    /// <summary>The keys of an external store's Secret: one Secret can hold them all.</summary>
    public const string ExternalRedisKey = "redis";

    public const string ExternalRabbitMqKey = "rabbitmq";

    /// <summary>The Cluster of one service's database: named like the StatefulSet it replaces (&lt;shop&gt;-users-db).</summary>
    public static string ClusterName(ShopNames names, string service) => names.Of(ShopSecrets.Database(service));

    /// <summary>CloudNativePG's Service to the current primary.</summary>
    public static string ReadWriteService(ShopNames names, string service) => ClusterName(names, service) + "-rw";

    /// <summary>
    /// CloudNativePG's Secret of the application user (the database's owner): keys username,
    /// password, host, port, dbname, uri, jdbc-uri, pgpass, … (pkg/specs/secrets.go).
    /// </summary>
    public static string AppSecret(ShopNames names, string service) => ClusterName(names, service) + "-app";

    public static string BrokerName(ShopNames names) => names.Of(ShopSecrets.RabbitMq);

    /// <summary>
    /// The RabbitMQ cluster operator's Secret of the default user: keys username, password,
    /// host, port, connection_string (amqp://user:password@&lt;name&gt;.&lt;namespace&gt;.svc:5672/), …
    /// (internal/resource/default_user_secret.go). Its generated credentials are URI-safe.
    /// </summary>
    public static string DefaultUserSecret(ShopNames names) => BrokerName(names) + "-default-user";

    public const string DefaultUserConnectionStringKey = "connection_string";

    public static string ProviderName(GoMicroShopSpec spec, string store) => store switch
    {
        Postgres => CustomResourceDefinitionBuilder.EnumName(spec.Postgres.Provider),
        Redis => CustomResourceDefinitionBuilder.EnumName(spec.Redis.Provider),
        _ => CustomResourceDefinitionBuilder.EnumName(spec.RabbitMq.Provider),
    };

    /// <summary>Whether the shop runs this store itself, as a StatefulSet (part: users-db, redis, rabbitmq).</summary>
    public static bool RunsAsStatefulSet(GoMicroShopSpec spec, string part) => part switch
    {
        ShopSecrets.Redis => spec.Redis.Provider == RedisProvider.StatefulSet,
        ShopSecrets.RabbitMq => spec.RabbitMq.Provider == RabbitMqProvider.StatefulSet,
        _ => spec.Postgres.Provider == PostgresProvider.StatefulSet,
    };

    /// <summary>Everything the shop writes for the stores that other operators run.</summary>
    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Build(ShopNames names)
    {
        var spec = names.Shop.Spec;
        if (spec.Postgres.Provider == PostgresProvider.CloudNativePG)
        {
            var settings = spec.Postgres.CloudNativePG ?? new CloudNativePGSpec();
            foreach (var service in Microservices.WithDatabase)
            {
                yield return Cluster(names, service, spec.Postgres, settings);
                if (settings.Backup is { } backup)
                {
                    yield return ScheduledBackup(names, service, backup);
                }
            }
        }
        if (spec.RabbitMq.Provider == RabbitMqProvider.ClusterOperator)
        {
            yield return Broker(names, spec.RabbitMq, spec.RabbitMq.ClusterOperator ?? new RabbitMqClusterOperatorSpec());
        }
    }

    /// <summary>
    /// One Cluster per database, not one Cluster holding three: each service owns its data
    /// (DESIGN.md), so each database fails over, scales, is backed up and restored on its own,
    /// and each service gets its own owner and credentials (CloudNativePG makes an application
    /// Secret for the one database a Cluster bootstraps). The image is postgres.image (any image
    /// CloudNativePG accepts; the official one qualifies), the same as the services' wait for it.
    /// </summary>
    private static CnpgCluster Cluster(ShopNames names, string service, PostgresSpec store, CloudNativePGSpec settings) => new()
    {
        Metadata = Unowned(names.Metadata(ShopSecrets.Database(service), "database")),
        Spec = new CnpgClusterSpec
        {
            Instances = settings.Instances,
            ImageName = store.Image,
            Storage = new CnpgStorage
            {
                Size = store.StorageSize,
                StorageClass = string.IsNullOrEmpty(store.StorageClassName) ? null : store.StorageClassName,
            },
            Resources = Requirements(store.Resources),
            Bootstrap = new CnpgBootstrap { InitDb = new CnpgInitDb { Database = service, Owner = ShopSecrets.DatabaseUser } },
            Backup = settings.Backup is { Method: CloudNativePGBackupMethod.VolumeSnapshot } snapshots
                ? new CnpgBackupConfiguration { VolumeSnapshot = new CnpgVolumeSnapshot { ClassName = snapshots.VolumeSnapshotClassName! } }
                : null,
            Plugins = settings.Backup is { Method: CloudNativePGBackupMethod.BarmanCloudPlugin } objects
                ? [new CnpgPlugin { Name = BarmanCloudPlugin, IsWalArchiver = true, Parameters = new Dictionary<string, string> { ["barmanObjectName"] = objects.ObjectStoreName! } }]
                : null,
        },
    };

    /// <summary>
    /// The first backup is taken at once; the Backups it makes are owned by the Cluster, so their
    /// records live as long as the data they protect.
    /// </summary>
    private static CnpgScheduledBackup ScheduledBackup(ShopNames names, string service, CloudNativePGBackupSpec backup) => new()
    {
        Metadata = Unowned(names.Metadata(ShopSecrets.Database(service), "backup")),
        Spec = new CnpgScheduledBackupSpec
        {
            Schedule = backup.Schedule,
            Cluster = new CnpgReference { Name = ClusterName(names, service) },
            Method = backup.Method == CloudNativePGBackupMethod.VolumeSnapshot ? "volumeSnapshot" : "plugin",
            PluginConfiguration = backup.Method == CloudNativePGBackupMethod.BarmanCloudPlugin ? new CnpgReference { Name = BarmanCloudPlugin } : null,
            Immediate = true,
            BackupOwnerReference = "cluster",
        },
    };

    private static RabbitmqCluster Broker(ShopNames names, RabbitMqSpec store, RabbitMqClusterOperatorSpec settings) => new()
    {
        Metadata = Unowned(names.Metadata(ShopSecrets.RabbitMq, "broker")),
        Spec = new RabbitmqClusterSpec
        {
            Replicas = settings.Replicas,
            Image = store.Image,
            Resources = Requirements(store.Resources),
            Persistence = new RabbitmqPersistence
            {
                Storage = store.StorageSize,
                StorageClassName = string.IsNullOrEmpty(store.StorageClassName) ? null : store.StorageClassName,
            },
        },
    };

    private static V1ObjectMeta Unowned(V1ObjectMeta metadata)
    {
        metadata.OwnerReferences = null;
        return metadata;
    }

    /// <summary>
    /// ConnectionStrings__Postgres of a service, and what it needs besides. For CloudNativePG the
    /// connection string names the read-write Service and the database, and the credentials come
    /// from the Cluster's application Secret as PGUSER and PGPASSWORD, which Npgsql reads when
    /// the connection string has none: the operator never reads a Secret, and no password has to
    /// be spliced into a connection string (Npgsql takes no postgresql:// URI, and a password
    /// with ';' or a quote would break a composed one).
    /// </summary>
    public static IEnumerable<V1EnvVar> PostgresEnvironment(ShopNames names, string service)
    {
        var store = names.Shop.Spec.Postgres;
        switch (store.Provider)
        {
            case PostgresProvider.CloudNativePG:
                yield return FromSecret("PGUSER", AppSecret(names, service), ShopSecrets.UserKey);
                yield return FromSecret("PGPASSWORD", AppSecret(names, service), ShopSecrets.PasswordKey);
                yield return Env("ConnectionStrings__Postgres", $"Host={ReadWriteService(names, service)};Port={DataStores.PostgresPort};Database={service}");
                break;
            case PostgresProvider.External:
                yield return FromSecret("ConnectionStrings__Postgres", store.SecretName!, service);
                break;
            default:
                yield return FromSecret("ConnectionStrings__Postgres", names.Of(ShopSecrets.Database(service)), ShopSecrets.ConnectionStringKey);
                break;
        }
    }

    public static V1EnvVar RabbitMqUri(ShopNames names) => names.Shop.Spec.RabbitMq.Provider switch
    {
        RabbitMqProvider.ClusterOperator => FromSecret("RabbitMq__Uri", DefaultUserSecret(names), DefaultUserConnectionStringKey),
        RabbitMqProvider.External => FromSecret("RabbitMq__Uri", names.Shop.Spec.RabbitMq.SecretName!, ExternalRabbitMqKey),
        _ => FromSecret("RabbitMq__Uri", names.Of(ShopSecrets.RabbitMq), ShopSecrets.UriKey),
    };

    public static V1EnvVar RedisConfiguration(ShopNames names) => names.Shop.Spec.Redis.Provider switch
    {
        RedisProvider.External => FromSecret("ConnectionStrings__Redis", names.Shop.Spec.Redis.SecretName!, ExternalRedisKey),
        _ => FromSecret("ConnectionStrings__Redis", names.Of(ShopSecrets.Redis), ShopSecrets.ConnectionStringKey),
    };

    /// <summary>
    /// The host a service's pod waits for before it migrates: the StatefulSet's Service, or the
    /// Cluster's read-write Service (so the wait ends once there is a primary). None for an
    /// external database: nothing in the cluster to wait for, and the service's own start-up
    /// retries and readiness cover a managed database that is briefly away.
    /// </summary>
    public static string? DatabaseHost(ShopNames names, string service) => names.Shop.Spec.Postgres.Provider switch
    {
        PostgresProvider.CloudNativePG => ReadWriteService(names, service),
        PostgresProvider.External => null,
        _ => names.Of(ShopSecrets.Database(service)),
    };

    /// <summary>
    /// The pods that serve a store (part: users-db, redis, rabbitmq), by the labels whoever runs
    /// them puts on them, and whether another operator runs them; null when nothing in the
    /// cluster does (external): no NetworkPolicy for a store the shop does not run.
    /// </summary>
    public static (Dictionary<string, string> Pods, bool OperatorRun)? StorePods(ShopNames names, string part)
    {
        var spec = names.Shop.Spec;
        if (RunsAsStatefulSet(spec, part))
        {
            return (names.Selector(part), false);
        }
        return part switch
        {
            ShopSecrets.Redis => null,
            ShopSecrets.RabbitMq when spec.RabbitMq.Provider == RabbitMqProvider.ClusterOperator =>
                // internal/metadata/label.go: every pod of a RabbitmqCluster.
                (new Dictionary<string, string> { ["app.kubernetes.io/name"] = BrokerName(names), ["app.kubernetes.io/component"] = "rabbitmq" }, true),
            ShopSecrets.RabbitMq => null,
            _ when spec.Postgres.Provider == PostgresProvider.CloudNativePG =>
                (new Dictionary<string, string> { [CnpgClusterLabel] = names.Of(part) }, true),
            _ => null,
        };
    }
}
