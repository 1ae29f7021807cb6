using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace GoMicro.Operator.Crd;

public sealed class GoMicroShopSpec
{
    [JsonPropertyName("version")]
    [Description("Tag of the GoMicro service images: <imageRegistry>/<service>:<version>.")]
    [Required, MinLength(1)]
    public string Version { get; set; } = "";

    [JsonPropertyName("imageRegistry")]
    [Description("Registry and path in front of the service image names.")]
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
    [Description("The three PostgreSQL databases (users, products, payments), one StatefulSet each.")]
    public DataStoreSpec Postgres { get; set; } = new() { Image = "postgres:15" };

    [JsonPropertyName("redis")]
    [Description("Redis, for baskets and the product-information cache.")]
    public DataStoreSpec Redis { get; set; } = new() { Image = "redis:7" };

    [JsonPropertyName("rabbitmq")]
    [Description("RabbitMQ, the event broker.")]
    public DataStoreSpec RabbitMq { get; set; } = new() { Image = "rabbitmq:3-management", Resources = new() { Memory = "512Mi" } };

    [JsonPropertyName("admin")]
    [Description("The administrator the users service creates at start-up; the password is generated into the <shop>-admin Secret.")]
    public AdminSpec Admin { get; set; } = new();

    [JsonPropertyName("seedSampleData")]
    [Description("Seed the sample catalog at start-up.")]
    public bool SeedSampleData { get; set; }

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
    public string? Image { get; set; }

    [JsonPropertyName("replicas")]
    [Description("Number of pods.")]
    [Range(0, 50)]
    public int Replicas { get; set; } = 1;

    [JsonPropertyName("resources")]
    [Description("CPU and memory of each pod.")]
    public ResourcesSpec Resources { get; set; } = new();
}

public sealed class GatewaySpec
{
    [JsonPropertyName("replicas")]
    [Description("Number of KrakenD pods.")]
    [Range(0, 50)]
    public int Replicas { get; set; } = 1;

    [JsonPropertyName("image")]
    [Description("The KrakenD CE image.")]
    public string Image { get; set; } = "devopsfaith/krakend:2.13";

    [JsonPropertyName("serviceType")]
    [Description("Type of the gateway's Service.")]
    public GatewayServiceType ServiceType { get; set; } = GatewayServiceType.ClusterIP;
}

public sealed class DataStoreSpec
{
    [JsonPropertyName("image")]
    [Description("Container image, compatible with the official image of the same name; the store's default image when empty.")]
    public string? Image { get; set; }

    [JsonPropertyName("storageSize")]
    [Description("Size of the persistent volume. Fixed once the shop exists (a StatefulSet's volume template cannot change).")]
    [RegularExpression(Quantity.Pattern), Immutable]
    public string StorageSize { get; set; } = "1Gi";

    [JsonPropertyName("storageClassName")]
    [Description("Storage class of the persistent volume; the cluster's default when empty. Fixed once the shop exists.")]
    [Immutable]
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
    [Description("E-mail address of the bootstrap administrator.")]
    [MinLength(3)]
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

/// <summary>A field the API server refuses to change once set (a CEL transition rule in the CRD).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ImmutableAttribute : Attribute;

internal static class Quantity
{
    /// <summary>A Kubernetes resource quantity such as 100m, 1Gi or 0.5.</summary>
    public const string Pattern = @"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";
}
