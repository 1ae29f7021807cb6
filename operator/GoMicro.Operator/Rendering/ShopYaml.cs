using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Operator.Crd;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace GoMicro.Operator.Rendering;

/// <summary>
/// Shops from YAML, read as the API server would store them: each document becomes JSON, a
/// plain scalar typed by the CRD's schema where it says integer or boolean (so `replicas: 2`
/// is a number and `version: 1` a string), then the operator's types through their JSON
/// names, enum spellings such as cloudnative-pg included, with the CRD's defaults applied.
/// </summary>
internal static class ShopYaml
{
    /// <exception cref="InvalidDataException">A document that is not a GoMicroShop, or does not fit its types.</exception>
    public static List<GoMicroShop> Read(string yaml, string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        List<GoMicroShop> shops = [];
        foreach (var document in stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" }))
        {
            var json = Json(document.RootNode, SchemaDefaults.ShopSchema);
            if (json?["apiVersion"]?.GetValueKind() != JsonValueKind.String || json["apiVersion"]!.GetValue<string>() != GoMicroShop.GroupVersion
                || json["kind"]?.GetValueKind() != JsonValueKind.String || json["kind"]!.GetValue<string>() != GoMicroShop.KindName)
            {
                throw new InvalidDataException($"{file}: only {GoMicroShop.KindName} ({GoMicroShop.GroupVersion}) documents can be rendered");
            }
            try
            {
                shops.Add(SchemaDefaults.Shop(json));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{file}: {e.Message}", e);
            }
        }
        return shops;
    }

    private static JsonNode? Json(YamlNode node, V1JSONSchemaProps? schema) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p =>
        {
            var key = ((YamlScalarNode)p.Key).Value ?? "";
            return KeyValuePair.Create(key, Json(p.Value, schema?.Properties?.TryGetValue(key, out var property) == true ? property : null));
        })),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(item => Json(item, schema?.Items as V1JSONSchemaProps))]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar => Plain(scalar.Value, schema?.Type),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidDataException($"unsupported YAML node {node.GetType().Name}"),
    };

    private static JsonValue? Plain(string? value, string? type) => (value, type) switch
    {
        (null or "" or "~" or "null", _) => null,
        (_, "integer") when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        (_, "boolean") when bool.TryParse(value, out var flag) => JsonValue.Create(flag),
        _ => JsonValue.Create(value),
    };
}
