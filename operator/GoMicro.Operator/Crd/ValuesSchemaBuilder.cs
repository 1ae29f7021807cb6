using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;

namespace GoMicro.Operator.Crd;

/// <summary>
/// charts/gomicro/values.schema.json: the CRD's spec schema (so Helm refuses what the API
/// server would), made strict, since Helm values with a typo would otherwise be pruned in silence.
/// </summary>
public static class ValuesSchemaBuilder
{
    public static string ToJson()
    {
        var crd = CustomResourceDefinitionBuilder.Build();
        var spec = JsonNode.Parse(KubernetesJson.Serialize(crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]))!;
        Strict(spec);
        var schema = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["$comment"] = "Generated from operator/GoMicro.Operator/Crd by `dotnet run --project operator/GoMicro.Operator -- values-schema`. Do not edit.",
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["properties"] = new JsonObject
            {
                ["name"] = new JsonObject { ["type"] = "string", ["description"] = "Name of the GoMicroShop; the release name when empty." },
                ["spec"] = spec,
            },
            ["required"] = new JsonArray("spec"),
        };
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    private static void Strict(JsonNode node)
    {
        if (node is not JsonObject obj)
        {
            return;
        }
        if (obj["properties"] is JsonObject properties)
        {
            obj["additionalProperties"] = false;
            foreach (var (_, child) in properties)
            {
                Strict(child!);
            }
        }
        if (obj["items"] is { } items)
        {
            Strict(items);
        }
    }
}
