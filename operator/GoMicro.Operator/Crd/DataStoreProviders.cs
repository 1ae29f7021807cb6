using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace GoMicro.Operator.Crd;

/// <summary>
/// PostgreSQL: the three databases of users, products and payments, run by the shop itself
/// (a StatefulSet each), by CloudNativePG (a Cluster each), or outside the cluster.
/// </summary>
[CelRule(ProviderRules.ProviderFixed, "postgres.provider " + ProviderRules.FixedMessage)]
[CelRule(ProviderRules.ExternalNeedsSecret, "postgres.provider external needs postgres.secretName: the Secret whose keys users, products and payments each hold that database's Npgsql connection string")]
[CelRule(ProviderRules.SecretOnlyForExternal, "postgres.secretName is read only by the external provider")]
[CelRule("!has(self.cloudNativePG) || self.provider == 'cloudnative-pg'", "postgres.cloudNativePG applies only to postgres.provider cloudnative-pg")]
[CelRule("!has(self.backup) || !has(self.provider) || self.provider == 'statefulset'", "postgres.backup (pg_dump CronJobs) applies only to postgres.provider statefulset; with cloudnative-pg, set postgres.cloudNativePG.backup")]
public sealed class PostgresSpec : DataStoreSpec
{
    [JsonPropertyName("provider")]
    [Description("Who runs the databases: statefulset (the shop, one single-pod StatefulSet each), cloudnative-pg (one CloudNativePG Cluster each, which must be installed), or external (managed databases; their connection strings in the Secret secretName). Fixed once the shop exists: the data stays with the old provider.")]
    public PostgresProvider Provider { get; set; } = PostgresProvider.StatefulSet;

    [JsonPropertyName("secretName")]
    [Description("external only: the Secret (in the shop's namespace) whose keys users, products and payments each hold that database's Npgsql connection string (Host=…;Database=…;Username=…;Password=…). It may be the same Secret as redis.secretName and rabbitmq.secretName.")]
    [MinLength(1), MaxLength(253)]
    public string? SecretName { get; set; }

    [JsonPropertyName("cloudNativePG")]
    [Description("cloudnative-pg only: the Clusters' instances and backups. The image, storage and resources above apply to every instance.")]
    public CloudNativePGSpec? CloudNativePG { get; set; }

    [JsonPropertyName("backup")]
    [Description("statefulset only: scheduled logical backups (pg_dump -Fc) of each database onto a volume of its own. Off when left out.")]
    public PostgresBackupSpec? Backup { get; set; }
}

/// <summary>Redis, for baskets and the product cache: run by the shop, or outside the cluster.</summary>
[CelRule(ProviderRules.ProviderFixed, "redis.provider " + ProviderRules.FixedMessage)]
[CelRule(ProviderRules.ExternalNeedsSecret, "redis.provider external needs redis.secretName: the Secret whose key redis holds the StackExchange.Redis configuration string")]
[CelRule(ProviderRules.SecretOnlyForExternal, "redis.secretName is read only by the external provider")]
public sealed class RedisSpec : DataStoreSpec
{
    [JsonPropertyName("provider")]
    [Description("Who runs Redis: statefulset (the shop, one single-pod StatefulSet) or external (a managed Redis; its configuration string in the Secret secretName). Fixed once the shop exists.")]
    public RedisProvider Provider { get; set; } = RedisProvider.StatefulSet;

    [JsonPropertyName("secretName")]
    [Description("external only: the Secret (in the shop's namespace) whose key redis holds the StackExchange.Redis configuration string (host:6380,password=…,ssl=true).")]
    [MinLength(1), MaxLength(253)]
    public string? SecretName { get; set; }
}

/// <summary>RabbitMQ, the event broker: run by the shop, by the RabbitMQ cluster operator, or outside the cluster.</summary>
[CelRule(ProviderRules.ProviderFixed, "rabbitmq.provider " + ProviderRules.FixedMessage)]
[CelRule(ProviderRules.ExternalNeedsSecret, "rabbitmq.provider external needs rabbitmq.secretName: the Secret whose key rabbitmq holds the AMQP URI (amqps://user:password@host:5671/vhost)")]
[CelRule(ProviderRules.SecretOnlyForExternal, "rabbitmq.secretName is read only by the external provider")]
[CelRule("!has(self.clusterOperator) || self.provider == 'rabbitmq-cluster-operator'", "rabbitmq.clusterOperator applies only to rabbitmq.provider rabbitmq-cluster-operator")]
public sealed class RabbitMqSpec : DataStoreSpec
{
    [JsonPropertyName("provider")]
    [Description("Who runs RabbitMQ: statefulset (the shop, one single-pod StatefulSet), rabbitmq-cluster-operator (a RabbitmqCluster, the operator must be installed), or external (a managed broker; its URI in the Secret secretName). Fixed once the shop exists: unconsumed events stay in the old broker.")]
    public RabbitMqProvider Provider { get; set; } = RabbitMqProvider.StatefulSet;

    [JsonPropertyName("secretName")]
    [Description("external only: the Secret (in the shop's namespace) whose key rabbitmq holds the AMQP URI of the broker (amqps://user:password@host:5671/vhost, user and password URI-escaped).")]
    [MinLength(1), MaxLength(253)]
    public string? SecretName { get; set; }

    [JsonPropertyName("clusterOperator")]
    [Description("rabbitmq-cluster-operator only: the RabbitmqCluster's size. The image, storage and resources above apply to every node.")]
    public RabbitMqClusterOperatorSpec? ClusterOperator { get; set; }
}

public sealed class CloudNativePGSpec
{
    [JsonPropertyName("instances")]
    [Description("PostgreSQL instances of each database's Cluster: one primary and instances-1 streaming standbys, spread over nodes by CloudNativePG. 3 keeps a standby to fail over to while another is being replaced.")]
    [Range(1, 9)]
    public int Instances { get; set; } = 3;

    [JsonPropertyName("backup")]
    [Description("Scheduled backups of each Cluster (a ScheduledBackup each); none when left out.")]
    public CloudNativePGBackupSpec? Backup { get; set; }
}

[CelRule("self.method != 'volumeSnapshot' || has(self.volumeSnapshotClassName)", "backup.method volumeSnapshot needs backup.volumeSnapshotClassName: the VolumeSnapshotClass of the CSI driver that holds the databases' volumes")]
[CelRule("self.method != 'barmanCloudPlugin' || has(self.objectStoreName)", "backup.method barmanCloudPlugin needs backup.objectStoreName: the Barman Cloud Plugin's ObjectStore (barmancloud.cnpg.io) in the shop's namespace")]
[CelRule("!has(self.volumeSnapshotClassName) || self.method == 'volumeSnapshot'", "backup.volumeSnapshotClassName is read only by backup.method volumeSnapshot")]
[CelRule("!has(self.objectStoreName) || self.method == 'barmanCloudPlugin'", "backup.objectStoreName is read only by backup.method barmanCloudPlugin")]
public sealed class CloudNativePGBackupSpec
{
    [JsonPropertyName("schedule")]
    [Description("When to back up, in CloudNativePG's cron format: six fields, seconds first (\"0 0 3 * * *\" is 03:00 every day), or a descriptor such as @daily.")]
    [Required, RegularExpression(@"^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every [0-9hms.]+|\S+( +\S+){5})$"), MaxLength(128)]
    public string Schedule { get; set; } = "";

    [JsonPropertyName("method")]
    [Description("volumeSnapshot: CSI volume snapshots of each Cluster's volumes (needs volumeSnapshotClassName); barmanCloudPlugin: base backups and continuous WAL archiving to object storage through the Barman Cloud Plugin (needs objectStoreName; point-in-time recovery).")]
    [Required]
    public CloudNativePGBackupMethod Method { get; set; }

    [JsonPropertyName("volumeSnapshotClassName")]
    [Description("volumeSnapshot only: the VolumeSnapshotClass to snapshot the volumes with.")]
    [MinLength(1), MaxLength(253)]
    public string? VolumeSnapshotClassName { get; set; }

    [JsonPropertyName("objectStoreName")]
    [Description("barmanCloudPlugin only: the ObjectStore (barmancloud.cnpg.io/v1) that says where and how to store the backups and WAL; each Cluster writes under its own name inside it.")]
    [MinLength(1), MaxLength(253)]
    public string? ObjectStoreName { get; set; }
}

[CelRule("self.replicas % 2 == 1", "rabbitmq.clusterOperator.replicas must be odd: the shop's queues are quorum queues, which need a majority of the nodes, so an even number tolerates no more failures than one node fewer")]
public sealed class RabbitMqClusterOperatorSpec
{
    [JsonPropertyName("replicas")]
    [Description("RabbitMQ nodes. Odd: the shop's queues are quorum queues, replicated on every node and available while a majority is (3 survives one node lost).")]
    [Range(1, 9)]
    public int Replicas { get; set; } = 3;
}

[JsonConverter(typeof(JsonStringEnumConverter<PostgresProvider>))]
public enum PostgresProvider
{
    [JsonStringEnumMemberName("statefulset")]
    StatefulSet,

    [JsonStringEnumMemberName("cloudnative-pg")]
    CloudNativePG,

    [JsonStringEnumMemberName("external")]
    External,
}

[JsonConverter(typeof(JsonStringEnumConverter<RedisProvider>))]
public enum RedisProvider
{
    [JsonStringEnumMemberName("statefulset")]
    StatefulSet,

    [JsonStringEnumMemberName("external")]
    External,
}

[JsonConverter(typeof(JsonStringEnumConverter<RabbitMqProvider>))]
public enum RabbitMqProvider
{
    [JsonStringEnumMemberName("statefulset")]
    StatefulSet,

    [JsonStringEnumMemberName("rabbitmq-cluster-operator")]
    ClusterOperator,

    [JsonStringEnumMemberName("external")]
    External,
}

[JsonConverter(typeof(JsonStringEnumConverter<CloudNativePGBackupMethod>))]
public enum CloudNativePGBackupMethod
{
    [JsonStringEnumMemberName("volumeSnapshot")]
    VolumeSnapshot,

    [JsonStringEnumMemberName("barmanCloudPlugin")]
    BarmanCloudPlugin,
}

/// <summary>The CEL rules every data store's provider shares (on the store's object, where oldSelf exists whenever the shop did).</summary>
internal static class ProviderRules
{
    /// <summary>
    /// Switching a provider would start the services on an empty store while the data stays in
    /// the old one. A shop stored before providers existed reads as statefulset.
    /// </summary>
    public const string ProviderFixed = "(has(oldSelf.provider) ? oldSelf.provider : 'statefulset') == (has(self.provider) ? self.provider : 'statefulset')";

    public const string FixedMessage = "cannot change once the shop exists: the data stays with the old provider and the services would start on an empty store. Move the data into a new shop (see the README, Data store providers)";

    public const string ExternalNeedsSecret = "!has(self.provider) || self.provider != 'external' || has(self.secretName)";

    public const string SecretOnlyForExternal = "!has(self.secretName) || (has(self.provider) && self.provider == 'external')";

    /// <summary>
    /// The RabbitMQ cluster operator names its StatefulSet &lt;RabbitmqCluster&gt;-server, and a
    /// StatefulSet's name stops at 52 characters (see <see cref="Resources.ShopNames.StatefulSetNameLimit"/>):
    /// &lt;shop&gt;-rabbitmq-server leaves 36 for the shop's name.
    /// </summary>
    public static int MaxShopNameWithClusterOperator => Resources.ShopNames.StatefulSetNameLimit - "-rabbitmq-server".Length;
}
