using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace GoMicro.Operator.Crd;

public sealed class GoMicroShopSpec
{
    [JsonPropertyName("version")]
    [Description("Tag of the GoMicro service images: <imageRegistry>/<service>:<version>.")]
    [Required, MinLength(1), MaxLength(128)]
    public string Version { get; set; } = "";

    [JsonPropertyName("imageRegistry")]
    [Description("Registry and path in front of the service image names.")]
    [MaxLength(255)]
    public string ImageRegistry { get; set; } = "ghcr.io/gomicro";

    [JsonPropertyName("imagePullPolicy")]
    [Description("Pull policy of every container the shop runs.")]
    public PullPolicy ImagePullPolicy { get; set; } = PullPolicy.IfNotPresent;

    [JsonPropertyName("services")]
    [Description("The four GoMicro services.")]
    public ServicesSpec Services { get; set; } = new();

    [JsonPropertyName("gateway")]
    [Description("The KrakenD gateway in front of the services.")]
    public GatewaySpec Gateway { get; set; } = new();

    [JsonPropertyName("postgres")]
    [Description("The three PostgreSQL databases (users, products, payments): by default one StatefulSet each; see provider.")]
    [CelRule(PostgresMajorVersion.Rule, PostgresMajorVersion.Message)]
    public PostgresSpec Postgres { get; set; } = new() { Image = "postgres:15.10", Resources = new() { Cpu = "100m", Memory = "256Mi" } };

    [JsonPropertyName("redis")]
    [Description("Redis, for baskets and the product-information cache.")]
    public RedisSpec Redis { get; set; } = new() { Image = "redis:7.4.2", Resources = new() { Cpu = "50m", Memory = "128Mi" } };

    [JsonPropertyName("rabbitmq")]
    [Description("RabbitMQ, the event broker.")]
    public RabbitMqSpec RabbitMq { get; set; } = new() { Image = "rabbitmq:3.13.7-management", Resources = new() { Cpu = "200m", Memory = "512Mi" } };

    [JsonPropertyName("admin")]
    [Description("The administrator the users service creates at start-up; the password is generated into the <shop>-admin Secret.")]
    public AdminSpec Admin { get; set; } = new();

    [JsonPropertyName("seedSampleData")]
    [Description("Seed the sample catalog at start-up.")]
    public bool SeedSampleData { get; set; }

    [JsonPropertyName("monitoring")]
    [Description("Prometheus Operator monitoring of the shop: a ServiceMonitor, the shop's alerts as a PrometheusRule, and a Grafana dashboard.")]
    public MonitoringSpec Monitoring { get; set; } = new();

    [JsonPropertyName("dataRetention")]
    [Description("What happens to the volumes and credentials of the databases and the broker when the shop is deleted: Retain keeps them, Delete removes them.")]
    public DataRetention DataRetention { get; set; } = DataRetention.Retain;
}

public sealed class ServicesSpec
{
    [JsonPropertyName("users")]
    public ServiceSpec Users { get; set; } = new();

    [JsonPropertyName("products")]
    public ServiceSpec Products { get; set; } = new();

    [JsonPropertyName("basket")]
    public ServiceSpec Basket { get; set; } = new();

    [JsonPropertyName("payments")]
    public ServiceSpec Payments { get; set; } = new();
}

public sealed class ServiceSpec
{
    [JsonPropertyName("image")]
    [Description("Full image reference of this service, e.g. one skaffold built; overrides <imageRegistry>/<service>:<version>.")]
    [MaxLength(512)]
    public string? Image { get; set; }

    [JsonPropertyName("replicas")]
    [Description("Number of pods (unused while autoscaling is set).")]
    [Range(0, 50)]
    public int Replicas { get; set; } = 1;

    [JsonPropertyName("resources")]
    [Description("CPU and memory of each pod.")]
    public ResourcesSpec Resources { get; set; } = new();

    [JsonPropertyName("autoscaling")]
    [Description("Scale this service with its CPU use through a HorizontalPodAutoscaler, instead of a fixed number of replicas. Off when left out.")]
    [CelRule(AutoscalingSpec.Rule, AutoscalingSpec.Message)]
    public AutoscalingSpec? Autoscaling { get; set; }
}

public sealed class GatewaySpec
{
    [JsonPropertyName("replicas")]
    [Description("Number of KrakenD pods (unused while autoscaling is set).")]
    [Range(0, 50)]
    public int Replicas { get; set; } = 1;

    [JsonPropertyName("image")]
    [Description("The KrakenD CE image.")]
    [MinLength(1), MaxLength(512)]
    public string Image { get; set; } = "devopsfaith/krakend:2.13";

    [JsonPropertyName("serviceType")]
    [Description("Type of the gateway's Service.")]
    public GatewayServiceType ServiceType { get; set; } = GatewayServiceType.ClusterIP;

    [JsonPropertyName("autoscaling")]
    [Description("Scale the gateway with its CPU use through a HorizontalPodAutoscaler, instead of a fixed number of replicas. Off when left out.")]
    [CelRule(AutoscalingSpec.Rule, AutoscalingSpec.Message)]
    public AutoscalingSpec? Autoscaling { get; set; }
}

/// <summary>
/// One data store. Each store's defaults are the initial values its property in
/// <see cref="GoMicroShopSpec"/> is given, field by field, so a store given in part keeps
/// that store's defaults for the rest (RabbitMQ keeps its 512Mi when only its storage is set).
/// Each store's own type adds who runs it (see DataStoreProviders.cs).
/// </summary>
public abstract class DataStoreSpec
{
    [JsonPropertyName("image")]
    [Description("Container image, compatible with the official image of the same name. The default pins a minor version, so a shop never moves to a new release by itself.")]
    [MinLength(1), MaxLength(512)]
    public string Image { get; set; } = "";

    [JsonPropertyName("storageSize")]
    [Description("Size of the persistent volume. Fixed once the shop exists (a StatefulSet's volume template cannot change).")]
    [RegularExpression(Quantity.Pattern), Immutable]
    public string StorageSize { get; set; } = "1Gi";

    [JsonPropertyName("storageClassName")]
    [Description("Storage class of the persistent volume; the cluster's default when left out. Fixed once the shop exists: it can be neither added, changed nor removed.")]
    [MaxLength(253), Immutable]
    public string? StorageClassName { get; set; }

    [JsonPropertyName("resources")]
    [Description("CPU and memory of the pod.")]
    public ResourcesSpec Resources { get; set; } = new();
}

public sealed class ResourcesSpec
{
    [JsonPropertyName("cpu")]
    [Description("CPU request, e.g. 100m.")]
    [RegularExpression(Quantity.Pattern)]
    public string Cpu { get; set; } = "100m";

    [JsonPropertyName("memory")]
    [Description("Memory request and limit, e.g. 256Mi.")]
    [RegularExpression(Quantity.Pattern)]
    public string Memory { get; set; } = "256Mi";
}

public sealed class AdminSpec
{
    [JsonPropertyName("email")]
    [Description("E-mail address of the bootstrap administrator. Fixed once the shop exists: the users service creates this account on the first start only; more administrators are made through the users API.")]
    [MinLength(3), MaxLength(254), Immutable]
    public string Email { get; set; } = "admin@gomicro.local";
}

[JsonConverter(typeof(JsonStringEnumConverter<PullPolicy>))]
public enum PullPolicy
{
    Always,
    IfNotPresent,
    Never,
}

[JsonConverter(typeof(JsonStringEnumConverter<GatewayServiceType>))]
public enum GatewayServiceType
{
    ClusterIP,
    NodePort,
    LoadBalancer,
}

[JsonConverter(typeof(JsonStringEnumConverter<DataRetention>))]
public enum DataRetention
{
    Retain,
    Delete,
}

/// <summary>
/// A field the API server refuses to add, remove or change once the object exists: a CEL
/// transition rule on the object that holds it, so that presence counts too (a rule on the
/// field itself runs only when both the old and the new value exist).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ImmutableAttribute : Attribute;

/// <summary>A CEL rule (x-kubernetes-validations) on the property's schema.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class, AllowMultiple = true)]
public sealed class CelRuleAttribute(string rule, string message) : Attribute
{
    public string Rule { get; } = rule;

    public string Message { get; } = message;
}

/// <summary>
/// A PostgreSQL server cannot start on the data directory of another major version, so a
/// change of the major version in the image tag is refused. Kubernetes' CEL has `find` (regex
/// library); the tag is what follows the last ':' that is not part of a registry port.
/// </summary>
internal static class PostgresMajorVersion
{
    private const string Tag = "':[0-9]+([.][0-9]+)*(-[^:/@]*)?(@.+)?$'";

    public const string Rule = "!has(oldSelf.image) || oldSelf.image.find(" + Tag + ").find('^:[0-9]+') == '' || "
        + "(has(self.image) && self.image.find(" + Tag + ").find('^:[0-9]+') == oldSelf.image.find(" + Tag + ").find('^:[0-9]+'))";

    public const string Message = "postgres.image cannot change PostgreSQL's major version: the new server cannot read the old data directory. Dump and restore into a new shop (see the README, Upgrading PostgreSQL); minor versions of the same major can change freely.";
}

internal static class Quantity
{
    /// <summary>A Kubernetes resource quantity such as 100m, 1Gi or 0.5.</summary>
    public const string Pattern = @"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";
}
