using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Crd;

/// <summary>
/// The API server's structural defaulting, for places without one (rendering a shop from a
/// file) and for shops stored under an older CRD (Helm never upgrades a chart's crds/): a
/// field that is missing or null gets its schema's default, top-down, so the defaults of the
/// fields inside a just-defaulted object apply as well.
/// </summary>
public static class SchemaDefaults
{
    private static readonly Lazy<V1JSONSchemaProps> Schema =
        new(() => CustomResourceDefinitionBuilder.Build().Spec.Versions[0].Schema.OpenAPIV3Schema);

    /// <summary>The CRD's openAPIV3Schema of a shop.</summary>
    public static V1JSONSchemaProps ShopSchema => Schema.Value;

    /// <summary>The shop with the CRD's defaults applied, as the API server stores it.</summary>
    public static GoMicroShop Shop(object raw)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(raw))!;
        Apply(node, Schema.Value);
        return KubernetesJson.Deserialize<GoMicroShop>(node.ToJsonString());
    }

    public static void Apply(JsonNode? node, V1JSONSchemaProps schema)
    {
        switch (node)
        {
            case JsonObject obj when schema.Properties is { } properties:
                foreach (var (name, property) in properties)
                {
                    if (obj[name] is null && property.DefaultProperty is { } value)
                    {
                        obj[name] = JsonNode.Parse(KubernetesJson.Serialize(value));
                    }
                    Apply(obj[name], property);
                }
                break;
            case JsonArray array when schema.Items is V1JSONSchemaProps items:
                foreach (var item in array)
                {
                    Apply(item, items);
                }
                break;
        }
    }
}
