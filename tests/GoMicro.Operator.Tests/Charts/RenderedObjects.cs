using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Testing;
using Json.Schema;

namespace GoMicro.Operator.Tests.Charts;

/// <summary>
/// Checks what helm rendered against the schema of each object's kind: the strict Kubernetes
/// 1.32 schemas, the ServiceMonitor CRD's, the CustomResourceDefinition schema, and for a
/// GoMicroShop the committed CRD's own openAPIV3Schema. A kind with no schema fails.
/// </summary>
public static class RenderedObjects
{
    public const string ServiceMonitorSchema = "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/monitoring.coreos.com/servicemonitor_v1.json";
    private const string CrdSchema = "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.32.10-local/customresourcedefinition-apiextensions-v1.json";

    private static readonly Lazy<JsonSchema> ShopSchema = new(() =>
    {
        var crd = YamlJson.Documents(File.ReadAllText(CrdTests.CommittedPath)).Single()!;
        return OfflineSchemas.FromText(crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.ToJsonString());
    });

    public static IReadOnlyList<string> Errors(JsonObject obj)
    {
        var element = JsonSerializer.SerializeToElement(obj);
        return (obj["apiVersion"]?.GetValue<string>(), obj["kind"]?.GetValue<string>()) switch
        {
            ("monitoring.coreos.com/v1", "ServiceMonitor") => OfflineSchemas.Validate(OfflineSchemas.Get(ServiceMonitorSchema), element),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition") => OfflineSchemas.Validate(OfflineSchemas.Get(CrdSchema), element),
            ("gomicro.io/v1alpha1", "GoMicroShop") => OfflineSchemas.Validate(ShopSchema.Value, element),
            (null, _) or (_, null) => ["no apiVersion or kind"],
            _ => KubernetesSchemas.Validate(element),
        };
    }

    public static void AssertValid(IEnumerable<JsonObject> objects)
    {
        foreach (var obj in objects)
        {
            var errors = Errors(obj);
            Assert.True(errors.Count == 0, $"{Describe(obj)}:\n{string.Join("\n", errors.Take(10))}");
        }
    }

    public static string Kind(JsonObject obj) => obj["kind"]!.GetValue<string>();

    public static string Describe(JsonObject obj) =>
        $"{obj["kind"]} {obj["metadata"]?["namespace"]}/{obj["metadata"]?["name"]}";

    public static List<string> Strings(JsonNode? array) => [.. array!.AsArray().Select(n => n!.GetValue<string>())];
}
