using System.ComponentModel;
using System.Text.Json.Serialization;
using k8s.Models;

namespace GoMicro.Operator.Crd;

public sealed class GoMicroShopStatus
{
    [JsonPropertyName("observedGeneration")]
    [Description("The generation of the spec this status describes.")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    [Description("Ready, Progressing and Degraded, in the standard Kubernetes condition form.")]
    public IList<V1Condition> Conditions { get; set; } = [];

    [JsonPropertyName("components")]
    [Description("Each workload of the shop and how many of its pods are ready.")]
    public IList<ComponentStatus> Components { get; set; } = [];

    [JsonPropertyName("gateway")]
    [Description("In-cluster URL of the shop's API gateway.")]
    public string? Gateway { get; set; }

    [JsonPropertyName("dataStores")]
    [Description("Who runs each data store (postgres, redis, rabbitmq) and whether what it runs is ready.")]
    public IList<DataStoreStatus> DataStores { get; set; } = [];
}

public sealed class ComponentStatus
{
    [JsonPropertyName("name")]
    [Description("Name of the Deployment or StatefulSet.")]
    public string Name { get; set; } = "";

    [JsonPropertyName("replicas")]
    [Description("Pods wanted.")]
    public int Replicas { get; set; }

    [JsonPropertyName("readyReplicas")]
    [Description("Pods ready.")]
    public int ReadyReplicas { get; set; }
}

/// <summary>The condition types a shop reports, as Deployments do.</summary>
public static class ConditionTypes
{
    public const string Ready = "Ready";
    public const string Progressing = "Progressing";
    public const string Degraded = "Degraded";
}

/// <summary>One data store as its provider runs it (see DataStoreProviders.cs).</summary>
public sealed class DataStoreStatus
{
    [JsonPropertyName("name")]
    [Description("postgres, redis or rabbitmq.")]
    public string Name { get; set; } = "";

    [JsonPropertyName("provider")]
    [Description("statefulset, cloudnative-pg, rabbitmq-cluster-operator or external.")]
    public string Provider { get; set; } = "";

    [JsonPropertyName("ready")]
    [Description("Whether everything the provider runs for this store reports ready (an external store is not checked by the operator: the services' readiness reports it).")]
    public bool Ready { get; set; }

    [JsonPropertyName("message")]
    [Description("What the operator observed: the objects it reads readiness from and their state.")]
    public string Message { get; set; } = "";
}
