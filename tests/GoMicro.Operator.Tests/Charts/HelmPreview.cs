using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GoMicro.Testing;
using YamlDotNet.Serialization;

namespace GoMicro.Operator.Tests.Charts;

/// <summary>
/// Renders a chart's templates for offline checks, since no helm binary can be installed
/// here. It understands only the part of Helm's template language the GoMicro charts use
/// (values and release fields, define/include, if/else/with/end, default, quote, toYaml,
/// indent, nindent, whitespace trimming) and throws on anything else, so a chart that
/// outgrows it fails its tests instead of being checked wrongly. `helm template` remains the
/// reference; this is the closest check possible without it.
/// </summary>
public sealed partial class HelmPreview
{
    private readonly string _chart;
    private readonly Dictionary<string, List<Node>> _defines = [];

    public HelmPreview(string chartDirectory)
    {
        _chart = chartDirectory;
        foreach (var file in Directory.GetFiles(Path.Combine(chartDirectory, "templates")).Order())
        {
            Collect(Parse(File.ReadAllText(file)));
        }
    }

    public JsonObject ChartYaml => YamlJson.Documents(File.ReadAllText(Path.Combine(_chart, "Chart.yaml"))).Single()!.AsObject();

    public JsonObject DefaultValues => YamlJson.Documents(File.ReadAllText(Path.Combine(_chart, "values.yaml"))).Single()!.AsObject();

    /// <summary>Every document of every template, rendered with the chart's values merged with <paramref name="overrides"/>.</summary>
    public IReadOnlyList<JsonObject> Render(string release, string ns, JsonObject? overrides = null)
    {
        var values = DefaultValues;
        if (overrides is not null)
        {
            Merge(values, overrides);
        }
        var chart = ChartYaml;
        var root = new JsonObject
        {
            ["Values"] = values,
            ["Release"] = new JsonObject { ["Name"] = release, ["Namespace"] = ns, ["Service"] = "Helm" },
            ["Chart"] = new JsonObject { ["Name"] = chart["name"]!.DeepClone(), ["Version"] = chart["version"]!.DeepClone(), ["AppVersion"] = chart["appVersion"]!.DeepClone() },
        };
        List<JsonObject> documents = [];
        foreach (var file in Directory.GetFiles(Path.Combine(_chart, "templates"), "*.yaml").Order())
        {
            var text = new StringBuilder();
            Write(Parse(File.ReadAllText(file)), root, root, text);
            documents.AddRange(YamlJson.Documents(text.ToString()).OfType<JsonObject>());
        }
        return documents;
    }

    // ----- parsing -----

    private abstract record Node;

    private sealed record Text(string Value) : Node;

    private sealed record Output(string Pipeline) : Node;

    private sealed record Block(string Keyword, string Argument, List<Node> Body, List<Node> Else) : Node;

    [GeneratedRegex(@"\{\{(-?)\s*(.*?)\s*(-?)\}\}", RegexOptions.Singleline)]
    private static partial Regex ActionPattern();

    private static List<Node> Parse(string template)
    {
        List<(bool IsAction, string Value)> tokens = [];
        var position = 0;
        var trimNext = false;
        foreach (Match m in ActionPattern().Matches(template))
        {
            var text = template[position..m.Index];
            if (trimNext)
            {
                text = text.TrimStart();
            }
            if (m.Groups[1].Value == "-")
            {
                text = text.TrimEnd();
            }
            tokens.Add((false, text));
            tokens.Add((true, m.Groups[2].Value));
            trimNext = m.Groups[3].Value == "-";
            position = m.Index + m.Length;
        }
        var rest = template[position..];
        tokens.Add((false, trimNext ? rest.TrimStart() : rest));
        var index = 0;
        var nodes = ParseNodes(tokens, ref index, out var terminator);
        return terminator is null ? nodes : throw new NotSupportedException($"unexpected {{{{ {terminator} }}}}");
    }

    private static List<Node> ParseNodes(List<(bool IsAction, string Value)> tokens, ref int index, out string? terminator)
    {
        List<Node> nodes = [];
        while (index < tokens.Count)
        {
            var (isAction, value) = tokens[index++];
            if (!isAction)
            {
                nodes.Add(new Text(value));
                continue;
            }
            if (value is "end" or "else")
            {
                terminator = value;
                return nodes;
            }
            if (value.StartsWith("/*", StringComparison.Ordinal))
            {
                continue;
            }
            var keyword = value.Split(' ', 2)[0];
            if (keyword is "if" or "with" or "define")
            {
                var body = ParseNodes(tokens, ref index, out var end);
                List<Node> otherwise = [];
                if (end == "else")
                {
                    otherwise = ParseNodes(tokens, ref index, out end);
                }
                if (end != "end")
                {
                    throw new NotSupportedException($"{keyword} without end");
                }
                nodes.Add(new Block(keyword, value[keyword.Length..].Trim(), body, otherwise));
            }
            else if (keyword is "range" or "template" or "block" or "tpl" || value.Contains(":=", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"HelmPreview does not render {{{{ {value} }}}}");
            }
            else
            {
                nodes.Add(new Output(value));
            }
        }
        terminator = null;
        return nodes;
    }

    private void Collect(List<Node> nodes)
    {
        foreach (var block in nodes.OfType<Block>())
        {
            if (block.Keyword == "define")
            {
                _defines[block.Argument.Trim('"')] = block.Body;
            }
        }
    }

    // ----- rendering -----

    private void Write(List<Node> nodes, JsonNode? dot, JsonObject root, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case Text t:
                    output.Append(t.Value);
                    break;
                case Output o:
                    output.Append(Print(Evaluate(o.Pipeline, dot, root)));
                    break;
                case Block { Keyword: "define" }:
                    break;
                case Block { Keyword: "if" } b:
                    Write(Truthy(Evaluate(b.Argument, dot, root)) ? b.Body : b.Else, dot, root, output);
                    break;
                case Block { Keyword: "with" } b:
                    var value = Evaluate(b.Argument, dot, root);
                    if (Truthy(value))
                    {
                        Write(b.Body, value as JsonNode ?? JsonValue.Create(value?.ToString()), root, output);
                    }
                    else
                    {
                        Write(b.Else, dot, root, output);
                    }
                    break;
            }
        }
    }

    private object? Evaluate(string pipeline, JsonNode? dot, JsonObject root)
    {
        object? result = null;
        var first = true;
        foreach (var command in pipeline.Split('|').Select(c => c.Trim()))
        {
            var words = Words(command);
            List<object?> args = [.. words.Skip(1).Select(w => Term(w, dot, root))];
            if (!first)
            {
                args.Add(result);
            }
            result = words[0] switch
            {
                "include" => Include((string)args[0]!, args[1] as JsonNode, root),
                "toYaml" => ToYaml(args[0]),
                "nindent" => "\n" + Indent(int.Parse(words[1], CultureInfo.InvariantCulture), Print(args[1])),
                "indent" => Indent(int.Parse(words[1], CultureInfo.InvariantCulture), Print(args[1])),
                "quote" => "\"" + Print(args[0]).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
                "default" => Truthy(args[1]) ? args[1] : args[0],
                var w when first && words.Count == 1 => Term(w, dot, root),
                var w => throw new NotSupportedException($"HelmPreview does not know the function {w}"),
            };
            first = false;
        }
        return result;
    }

    private string Include(string name, JsonNode? dot, JsonObject root)
    {
        var text = new StringBuilder();
        Write(_defines.TryGetValue(name, out var body) ? body : throw new NotSupportedException($"no define {name}"), dot, root, text);
        return text.ToString();
    }

    private static object? Term(string word, JsonNode? dot, JsonObject root)
    {
        if (word.StartsWith('"'))
        {
            return word.Trim('"');
        }
        if (word == ".")
        {
            return dot;
        }
        if (word.StartsWith('.') || word.StartsWith('$'))
        {
            JsonNode? node = word.StartsWith('$') ? root : dot;
            foreach (var part in word.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
            {
                node = node is JsonObject o ? o[part] : null;
            }
            return node;
        }
        if (int.TryParse(word, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }
        throw new NotSupportedException($"HelmPreview cannot read the term {word}");
    }

    private static List<string> Words(string command) =>
        [.. Regex.Matches(command, "\"[^\"]*\"|\\S+").Select(m => m.Value)];

    private static bool Truthy(object? value) => value switch
    {
        null => false,
        string s => s.Length > 0,
        JsonObject o => o.Count > 0,
        JsonArray a => a.Count > 0,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length > 0,
        JsonValue v => v.ToJsonString() is not ("0" or "0.0"),
        int i => i != 0,
        _ => true,
    };

    private static string Print(object? value) => value switch
    {
        null => "",
        string s => s,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonNode n => n.ToJsonString(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Indent(int spaces, string text) =>
        string.Join("\n", text.Split('\n').Select(line => new string(' ', spaces) + line));

    private static string ToYaml(object? value)
    {
        var plain = Plain(value as JsonNode);
        return plain switch
        {
            IDictionary<string, object?> { Count: 0 } => "{}",
            IList<object?> { Count: 0 } => "[]",
            _ => new SerializerBuilder().Build().Serialize(plain).TrimEnd('\n'),
        };
    }

    private static object? Plain(JsonNode? node) => node switch
    {
        JsonObject o => o.ToDictionary(p => p.Key, p => Plain(p.Value)),
        JsonArray a => a.Select(Plain).ToList(),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v => decimal.Parse(v.ToJsonString(), CultureInfo.InvariantCulture),
        _ => null,
    };

    private static void Merge(JsonObject target, JsonObject overrides)
    {
        foreach (var (key, value) in overrides)
        {
            if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}
