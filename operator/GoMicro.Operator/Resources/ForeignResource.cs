using System.Reflection;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Resources;

/// <summary>
/// The envelope of a custom resource another project defines (CloudNativePG, the RabbitMQ
/// cluster operator, the Prometheus Operator): apiVersion and kind from the type's
/// [KubernetesEntity], metadata, the spec the shop writes and the status it reads.
/// </summary>
internal abstract class ForeignResource<TSpec, TStatus> : IKubernetesObject<V1ObjectMeta>
    where TSpec : new()
    where TStatus : class
{
    protected ForeignResource()
    {
        var entity = GetType().GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new InvalidOperationException($"{GetType().Name} needs a [KubernetesEntity] attribute");
        ApiVersion = entity.Group + "/" + entity.ApiVersion;
        Kind = entity.Kind;
    }

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public TSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public TStatus? Status { get; set; }
}

/// <summary>The status of a kind whose status the shop never reads (it is left out when written).</summary>
internal sealed class UnreadStatus;
