using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using YamlDotNet.Serialization;

namespace GoMicro.Operator.Resources.Providers;

// The custom resources of the data-store operators the shop builds on, as far as the shop
// writes and reads them (checked against their CRDs' schemas in the tests). Fields the shop
// leaves out stay the other operator's defaults. A JSON name that is not the camel-cased C#
// name also has a YamlMember alias, for `render` (KubernetesYaml goes by YamlDotNet's names).

/// <summary>A CloudNativePG Cluster: one PostgreSQL primary with its standbys.</summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = KindName, PluralName = Plural)]
internal sealed class CnpgCluster : ForeignResource<CnpgClusterSpec, CnpgClusterStatus>
{
    public const string Group = "postgresql.cnpg.io";
    public const string Version = "v1";
    public const string KindName = "Cluster";
    public const string Plural = "clusters";
}

internal sealed class CnpgClusterSpec
{
    [JsonPropertyName("instances")]
    public int Instances { get; set; }

    [JsonPropertyName("imageName")]
    public string? ImageName { get; set; }

    [JsonPropertyName("storage")]
    public CnpgStorage Storage { get; set; } = new();

    [JsonPropertyName("resources")]
    public V1ResourceRequirements? Resources { get; set; }

    [JsonPropertyName("bootstrap")]
    public CnpgBootstrap? Bootstrap { get; set; }

    [JsonPropertyName("backup")]
    public CnpgBackupConfiguration? Backup { get; set; }

    [JsonPropertyName("plugins")]
    public IList<CnpgPlugin>? Plugins { get; set; }
}

internal sealed class CnpgStorage
{
    [JsonPropertyName("size")]
    public string Size { get; set; } = "";

    [JsonPropertyName("storageClass")]
    public string? StorageClass { get; set; }
}

internal sealed class CnpgBootstrap
{
    [JsonPropertyName("initdb"), YamlMember(Alias = "initdb")]
    public CnpgInitDb InitDb { get; set; } = new();
}

internal sealed class CnpgInitDb
{
    [JsonPropertyName("database")]
    public string Database { get; set; } = "";

    [JsonPropertyName("owner")]
    public string Owner { get; set; } = "";
}

internal sealed class CnpgBackupConfiguration
{
    [JsonPropertyName("volumeSnapshot")]
    public CnpgVolumeSnapshot? VolumeSnapshot { get; set; }
}

internal sealed class CnpgVolumeSnapshot
{
    [JsonPropertyName("className")]
    public string ClassName { get; set; } = "";
}

internal sealed class CnpgPlugin
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("isWALArchiver"), YamlMember(Alias = "isWALArchiver")]
    public bool? IsWalArchiver { get; set; }

    [JsonPropertyName("parameters")]
    public IDictionary<string, string>? Parameters { get; set; }
}

internal sealed class CnpgClusterStatus
{
    [JsonPropertyName("instances")]
    public int? Instances { get; set; }

    [JsonPropertyName("readyInstances")]
    public int? ReadyInstances { get; set; }

    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }
}

/// <summary>A CloudNativePG ScheduledBackup: backups of one Cluster on a cron schedule.</summary>
[KubernetesEntity(Group = CnpgCluster.Group, ApiVersion = CnpgCluster.Version, Kind = KindName, PluralName = Plural)]
internal sealed class CnpgScheduledBackup : ForeignResource<CnpgScheduledBackupSpec, UnreadStatus>
{
    public const string KindName = "ScheduledBackup";
    public const string Plural = "scheduledbackups";
}

internal sealed class CnpgScheduledBackupSpec
{
    [JsonPropertyName("schedule")]
    public string Schedule { get; set; } = "";

    [JsonPropertyName("cluster")]
    public CnpgReference Cluster { get; set; } = new();

    [JsonPropertyName("method")]
    public string Method { get; set; } = "";

    [JsonPropertyName("pluginConfiguration")]
    public CnpgReference? PluginConfiguration { get; set; }

    [JsonPropertyName("immediate")]
    public bool? Immediate { get; set; }

    [JsonPropertyName("backupOwnerReference")]
    public string? BackupOwnerReference { get; set; }
}

internal sealed class CnpgReference
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";
}

/// <summary>A RabbitMQ cluster operator RabbitmqCluster: a clustered broker in a StatefulSet of its own.</summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = KindName, PluralName = Plural)]
internal sealed class RabbitmqCluster : ForeignResource<RabbitmqClusterSpec, RabbitmqClusterStatus>
{
    public const string Group = "rabbitmq.com";
    public const string Version = "v1beta1";
    public const string KindName = "RabbitmqCluster";
    public const string Plural = "rabbitmqclusters";
}

internal sealed class RabbitmqClusterSpec
{
    [JsonPropertyName("replicas")]
    public int Replicas { get; set; }

    [JsonPropertyName("image")]
    public string? Image { get; set; }

    [JsonPropertyName("resources")]
    public V1ResourceRequirements? Resources { get; set; }

    [JsonPropertyName("persistence")]
    public RabbitmqPersistence Persistence { get; set; } = new();
}

internal sealed class RabbitmqPersistence
{
    [JsonPropertyName("storage")]
    public string Storage { get; set; } = "";

    [JsonPropertyName("storageClassName")]
    public string? StorageClassName { get; set; }
}

internal sealed class RabbitmqClusterStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }
}
