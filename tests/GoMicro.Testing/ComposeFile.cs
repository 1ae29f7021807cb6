using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GoMicro.Testing;

/// <summary>
/// docker-compose.yml read for tests: services with YAML merge keys (<c>&lt;&lt;: *anchor</c>)
/// applied the way Compose applies them (a shallow merge, the service's own keys win), their
/// environment as a dictionary, and health checks as the shell command Docker runs.
/// </summary>
public sealed class ComposeFile
{
    private ComposeFile(JsonObject services) => Services = services;

    /// <summary>Every service, merge keys applied.</summary>
    public JsonObject Services { get; }

    public static string DefaultPath => Path.Combine(OfflineSchemas.RepositoryRoot, "docker-compose.yml");

    public static ComposeFile Load(string? path = null)
    {
        var root = YamlJson.Documents(File.ReadAllText(path ?? DefaultPath)).Single()!.AsObject();
        var services = new JsonObject();
        foreach (var (name, service) in root["services"]!.AsObject())
        {
            services[name] = Merge(service!.AsObject());
        }
        return new ComposeFile(services);
    }

    public JsonObject Service(string name) =>
        Services[name]?.AsObject() ?? throw new InvalidOperationException($"docker-compose.yml has no service '{name}'.");

    /// <summary>The service's environment (map or KEY=VALUE list form), as written (no interpolation).</summary>
    public IReadOnlyDictionary<string, string> Environment(string name)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (Service(name)["environment"])
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    result[key] = value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value?.ToJsonString() ?? "";
                }
                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    var text = item!.GetValue<string>();
                    var eq = text.IndexOf('=', StringComparison.Ordinal);
                    result[eq < 0 ? text : text[..eq]] = eq < 0 ? "" : text[(eq + 1)..];
                }
                break;
        }
        return result;
    }

    /// <summary>
    /// Compose's interpolation of <c>${VAR}</c>, <c>${VAR:-default}</c> and <c>${VAR-default}</c>
    /// from this process's environment; <c>$$</c> stays a literal <c>$</c>.
    /// </summary>
    public static string Interpolate(string value) =>
        Regex.Replace(value, @"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?-)(?<default>[^}]*))?\}", m =>
        {
            if (m.Value == "$$")
            {
                return "$";
            }
            var set = System.Environment.GetEnvironmentVariable(m.Groups["name"].Value);
            return m.Groups["op"].Value switch
            {
                ":-" => string.IsNullOrEmpty(set) ? m.Groups["default"].Value : set,
                "-" => set ?? m.Groups["default"].Value,
                _ => set ?? "",
            };
        });

    /// <summary>
    /// The health check as the command line Docker runs inside the container (CMD-SHELL and the
    /// string form through <c>/bin/sh -c</c>), with Compose's <c>$$</c> escapes turned into the
    /// <c>$</c> the container's shell sees; null when the service declares none or disables it.
    /// </summary>
    public IReadOnlyList<string>? HealthcheckCommand(string name)
    {
        if (Service(name)["healthcheck"] is not JsonObject healthcheck || healthcheck["disable"]?.GetValue<bool>() == true)
        {
            return null;
        }
        static string Unescape(string s) => s.Replace("$$", "$", StringComparison.Ordinal);
        switch (healthcheck["test"])
        {
            case JsonValue value:
                return ["/bin/sh", "-c", Unescape(value.GetValue<string>())];
            case JsonArray { Count: > 0 } array:
                var parts = array.Select(p => Unescape(p!.GetValue<string>())).ToList();
                return parts[0] switch
                {
                    "CMD" when parts.Count > 1 => parts[1..],
                    "CMD-SHELL" when parts.Count == 2 => ["/bin/sh", "-c", parts[1]],
                    _ => null, // ["NONE"] or malformed
                };
            default:
                return null;
        }
    }

    private static JsonObject Merge(JsonObject node)
    {
        var merged = new JsonObject();
        if (node["<<"] is { } bases)
        {
            // One anchor or a list of them; earlier ones win, the node's own keys win over all.
            var list = bases is JsonArray array ? array.Select(b => b!.AsObject()).ToList() : [bases.AsObject()];
            foreach (var b in Enumerable.Reverse(list))
            {
                foreach (var (key, value) in Merge(b))
                {
                    merged[key] = value?.DeepClone();
                }
            }
        }
        foreach (var (key, value) in node)
        {
            if (key != "<<")
            {
                merged[key] = value is JsonObject child ? Merge(child) : value?.DeepClone();
            }
        }
        return merged;
    }
}
