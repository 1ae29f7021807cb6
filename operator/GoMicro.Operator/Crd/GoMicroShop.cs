using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Crd;

/// <summary>
/// One shop: its three PostgreSQL databases, Redis, RabbitMQ, the four services and the
/// gateway. These C# types are the CRD's only source: its YAML is generated from them.
/// </summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = KindName, PluralName = Plural)]
public sealed class GoMicroShop : IKubernetesObject<V1ObjectMeta>, ISpec<GoMicroShopSpec>, IStatus<GoMicroShopStatus>
{
    public const string Group = "gomicro.io";
    public const string Version = "v1alpha1";
    public const string KindName = "GoMicroShop";
    public const string Plural = "gomicroshops";
    public const string Singular = "gomicroshop";
    public const string ShortName = "gms";
    public const string GroupVersion = Group + "/" + Version;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public GoMicroShopSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public GoMicroShopStatus Status { get; set; } = new();
}

/// <summary>
/// The custom-objects API answers with untyped JSON; this reads it as the operator's types
/// (KubernetesJson honours their JSON names and enum converters).
/// </summary>
public static class CustomObject
{
    public static T As<T>(object raw) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(raw));
}

/// <summary>The list type the API server answers a list or watch of shops with.</summary>
public sealed class GoMicroShopList : IKubernetesObject<V1ListMeta>, IItems<GoMicroShop>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = GoMicroShop.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = GoMicroShop.KindName + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<GoMicroShop> Items { get; set; } = [];
}
