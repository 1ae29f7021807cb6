using System.Text.Json;
using GoMicro.Testing;
using k8s;

namespace GoMicro.Operator.Tests;

/// <summary>The strict Kubernetes 1.32 schema of an object's kind, from the offline schemas.</summary>
public static class KubernetesSchemas
{
    private const string Base = "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.32.10-standalone-strict/";

    public static IReadOnlyList<string> Validate(IKubernetesObject obj) => Validate(JsonSerializer.SerializeToElement(JsonDocument.Parse(KubernetesJson.Serialize(obj)).RootElement));

    public static IReadOnlyList<string> Validate(JsonElement obj)
    {
        var apiVersion = obj.GetProperty("apiVersion").GetString()!;
        var kind = obj.GetProperty("kind").GetString()!.ToLowerInvariant();
        var file = apiVersion.Contains('/', StringComparison.Ordinal)
            ? $"{kind}-{apiVersion.Split('/')[0].Split('.')[0]}-{apiVersion.Split('/')[1]}.json"
            : $"{kind}-{apiVersion}.json";
        return OfflineSchemas.Validate(OfflineSchemas.Get(Base + file), obj);
    }
}
