using System.Text.Json;
using GoMicro.Testing;
using k8s;

namespace GoMicro.Operator.Tests;

/// <summary>
/// The schema of any object the operator renders: the offline CRD schemas of the data-store
/// operators it builds on (CloudNativePG's Cluster and ScheduledBackup, the RabbitMQ cluster
/// operator's RabbitmqCluster, from ../shared/schemas/crds), else the strict Kubernetes 1.32 one.
/// </summary>
public static class ProviderSchemas
{
    private const string CrdCatalog = "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/";

    private static readonly HashSet<string> CrdGroups = ["postgresql.cnpg.io", "rabbitmq.com"];

    public static IReadOnlyList<string> Validate(IKubernetesObject obj) =>
        Validate(JsonSerializer.SerializeToElement(JsonDocument.Parse(KubernetesJson.Serialize(obj)).RootElement));

    public static IReadOnlyList<string> Validate(JsonElement obj)
    {
        var apiVersion = obj.GetProperty("apiVersion").GetString()!;
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion.Split('/')[0] : "";
        if (!CrdGroups.Contains(group))
        {
            return KubernetesSchemas.Validate(obj);
        }
        var kind = obj.GetProperty("kind").GetString()!.ToLowerInvariant();
        return OfflineSchemas.Validate(OfflineSchemas.Get($"{CrdCatalog}{group}/{kind}_{apiVersion.Split('/')[1]}.json"), obj);
    }
}
