using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace GoMicro.Testing;

/// <summary>
/// YAML documents as JSON, with YAML 1.2 core-schema typing of plain scalars (true, 3, null
/// stay booleans, numbers and nulls; quoted scalars stay strings), for JSON-schema checks.
/// </summary>
public static class YamlJson
{
    public static IReadOnlyList<JsonNode?> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" }).Select(d => Convert(d.RootNode))];
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, Convert(p.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s => Plain(s.Value),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    private static JsonValue? Plain(string? value) => value switch
    {
        null or "" or "~" or "null" => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && value.Any(char.IsDigit) => JsonValue.Create(d),
        _ => JsonValue.Create(value),
    };
}
