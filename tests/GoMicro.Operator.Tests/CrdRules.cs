using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cel;
using GoMicro.Operator.Crd;
using k8s.Models;

namespace GoMicro.Operator.Tests;

/// <summary>
/// The API server's side of the CRD for tests: its structural defaults, and its CEL rules
/// (x-kubernetes-validations) evaluated by a real CEL implementation, with Kubernetes'
/// regex `find` added. Transition rules (those naming oldSelf) run, as in Kubernetes, only
/// where the object existed before as well.
/// </summary>
public static class CrdRules
{
    private static readonly Lazy<V1JSONSchemaProps> Schema = new(() => CustomResourceDefinitionBuilder.Build().Spec.Versions[0].Schema.OpenAPIV3Schema);
    private static readonly ConcurrentDictionary<string, Func<IDictionary<string, object?>, object?>> Programs = new();
    private static readonly Lock CompileLock = new();
    private static readonly CelEnvironment Environment = NewEnvironment();

    public static void ApplyDefaults(JsonNode shop) => SchemaDefaults.Apply(shop, Schema.Value);

    /// <summary>The messages of the rules that writing <paramref name="next"/> over <paramref name="old"/> (null: a create) breaks.</summary>
    public static IReadOnlyList<string> Violations(JsonNode? old, JsonNode next)
    {
        List<string> found = [];
        Walk(Schema.Value, old, next, "", found);
        return found;
    }

    private static void Walk(V1JSONSchemaProps schema, JsonNode? old, JsonNode? self, string path, List<string> found)
    {
        if (self is null)
        {
            return;
        }
        foreach (var rule in schema.XKubernetesValidations ?? [])
        {
            var transition = rule.Rule.Contains("oldSelf", StringComparison.Ordinal);
            if (transition && old is null)
            {
                continue;
            }
            var variables = new Dictionary<string, object?> { ["self"] = ToCel(self) };
            if (transition)
            {
                variables["oldSelf"] = ToCel(old);
            }
            if (Program(rule.Rule)(variables) is not true)
            {
                found.Add($"{(path.Length == 0 ? "<root>" : path[1..])}: {rule.Message}");
            }
        }
        if (self is JsonObject obj && schema.Properties is { } properties)
        {
            foreach (var (name, property) in properties)
            {
                Walk(property, (old as JsonObject)?[name], obj[name], $"{path}.{name}", found);
            }
        }
    }

    private static Func<IDictionary<string, object?>, object?> Program(string rule) =>
        Programs.GetOrAdd(rule, r =>
        {
            lock (CompileLock)
            {
                var compiled = Environment.Compile(r);
                return variables => compiled.Invoke(variables);
            }
        });

    private static CelEnvironment NewEnvironment()
    {
        var environment = new CelEnvironment(null, null);
        // Kubernetes' regex library: the first match, or "" when there is none.
        environment.RegisterFunction("find", [typeof(string), typeof(string)], args =>
        {
            var match = Regex.Match((string)args[0]!, (string)args[1]!, RegexOptions.None, TimeSpan.FromSeconds(1));
            return match.Success ? match.Value : "";
        });
        return environment;
    }

    private static object? ToCel(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(p => p.Key, p => ToCel(p.Value)),
        JsonArray array => array.Select(ToCel).ToList(),
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonValue value when value.TryGetValue<bool>(out var b) => b,
        _ when long.TryParse(node.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out var l) => l,
        _ => double.Parse(node.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture),
    };
}
