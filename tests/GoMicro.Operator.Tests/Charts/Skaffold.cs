using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GoMicro.Testing;

namespace GoMicro.Operator.Tests.Charts;

/// <summary>
/// skaffold.yaml read the way skaffold (v2, schema v4beta14) reads it, for what the tests need:
/// a profile applied to the config, and the helm flags skaffold passes for a release
/// (pkg/skaffold/helm/args.go: setValues as sorted --set, then setValueTemplates as sorted --set
/// with the built images' variables, then valuesFiles as -f). What it does not model it refuses,
/// so the test fails rather than checking something else.
/// </summary>
public static partial class Skaffold
{
    public static readonly string File = System.IO.Path.Combine(OfflineSchemas.RepositoryRoot, "skaffold.yaml");

    public static JsonObject Load() => YamlJson.Documents(System.IO.File.ReadAllText(File)).Single()!.AsObject();

    /// <summary>
    /// The config with <paramref name="profile"/> applied: its build section overlaid (a build
    /// type such as local replaces the base's whole build type, as skaffold's oneOf overlay does),
    /// then its JSON patches.
    /// </summary>
    public static JsonObject WithProfile(JsonObject config, string profile)
    {
        var result = config.DeepClone().AsObject();
        var p = result["profiles"]!.AsArray().Single(x => x!["name"]!.GetValue<string>() == profile)!.AsObject();
        foreach (var (key, value) in p)
        {
            switch (key)
            {
                case "name" or "activation" or "requiresAllActivations" or "patches":
                    break;
                case "build":
                    OverlayBuild(result["build"]!.AsObject(), value!.AsObject());
                    break;
                default:
                    throw new NotSupportedException($"profile {profile}: the tests do not model skaffold's overlay of '{key}'; use patches or extend {nameof(Skaffold)}.");
            }
        }
        foreach (var patch in p["patches"]?.AsArray() ?? [])
        {
            Patch(result, patch!["op"]?.GetValue<string>() ?? "replace", patch["path"]!.GetValue<string>(), patch["value"]);
        }
        return result;
    }

    /// <summary>The helm flags skaffold adds for <paramref name="release"/>, its templates filled from <paramref name="variables"/>.</summary>
    public static string[] HelmFlags(JsonObject release, IReadOnlyDictionary<string, string> variables)
    {
        foreach (var key in new[] { "setFiles", "overrides", "remoteChart", "packaged", "useHelmSecrets" })
        {
            if (release.ContainsKey(key))
            {
                throw new NotSupportedException($"release {release["name"]}: the tests do not model '{key}'.");
            }
        }
        List<string> flags = [];
        foreach (var (key, value) in Sorted(release["setValues"]))
        {
            flags.AddRange(["--set", $"{key}={Scalar(value)}"]);
        }
        foreach (var (key, value) in Sorted(release["setValueTemplates"]))
        {
            flags.AddRange(["--set", $"{Expand(key, variables)}={Expand(Scalar(value), variables)}"]);
        }
        foreach (var file in release["valuesFiles"]?.AsArray() ?? [])
        {
            flags.AddRange(["-f", System.IO.Path.Combine(OfflineSchemas.RepositoryRoot, Expand(file!.GetValue<string>(), variables))]);
        }
        return [.. flags];
    }

    /// <summary>
    /// The template variables skaffold gives each built image (IMAGE_REPO_&lt;name&gt;, IMAGE_TAG_…,
    /// IMAGE_DIGEST_…, IMAGE_FULLY_QUALIFIED_…), for an image reference like skaffold's build result.
    /// </summary>
    public static Dictionary<string, string> ImageVariables(IEnumerable<(string ImageName, string Reference)> builds)
    {
        Dictionary<string, string> variables = [];
        foreach (var (name, reference) in builds)
        {
            var suffix = Regex.Replace(name, "[./:-]", "_");
            var digestAt = reference.IndexOf('@', StringComparison.Ordinal);
            var withoutDigest = digestAt < 0 ? reference : reference[..digestAt];
            var tagAt = withoutDigest.LastIndexOf(':');
            var hasTag = tagAt > withoutDigest.LastIndexOf('/');
            variables["IMAGE_NAME_" + suffix] = name;
            variables["IMAGE_REPO_" + suffix] = hasTag ? withoutDigest[..tagAt] : withoutDigest;
            variables["IMAGE_TAG_" + suffix] = hasTag ? withoutDigest[(tagAt + 1)..] : "";
            variables["IMAGE_DIGEST_" + suffix] = digestAt < 0 ? "" : reference[(digestAt + 1)..];
            variables["IMAGE_FULLY_QUALIFIED_" + suffix] = reference;
        }
        return variables;
    }

    [GeneratedRegex(@"\{\{\s*\.([A-Za-z0-9_]+)\s*\}\}")]
    private static partial Regex Variable();

    private static string Expand(string template, IReadOnlyDictionary<string, string> variables)
    {
        var expanded = Variable().Replace(template, m => variables.TryGetValue(m.Groups[1].Value, out var v)
            ? v
            : throw new InvalidOperationException($"skaffold.yaml uses {{{{.{m.Groups[1].Value}}}}}, which skaffold does not define for the built images: it would render <no value>."));
        return expanded.Contains("{{", StringComparison.Ordinal)
            ? throw new NotSupportedException($"the tests only expand {{{{.VARIABLE}}}} templates: {template}")
            : expanded;
    }

    private static IEnumerable<(string Key, JsonNode? Value)> Sorted(JsonNode? map) =>
        map is null ? [] : map.AsObject().Select(p => (p.Key, p.Value)).OrderBy(p => p.Key, StringComparer.Ordinal);

    // skaffold's setValues and setValueTemplates are map[string]string: a YAML 1 or true is the string "1" or "true".
    // Other numbers are refused: YAML reads 1.10 as a float, skaffold as the text "1.10"; quote them.
    private static string Scalar(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue<long>(out var l) => l.ToString(CultureInfo.InvariantCulture),
        _ => throw new NotSupportedException($"not a scalar: {value?.ToJsonString()}"),
    };

    private static void OverlayBuild(JsonObject build, JsonObject profile)
    {
        string[] buildTypes = ["local", "googleCloudBuild", "cluster"];
        foreach (var (key, value) in profile)
        {
            if (buildTypes.Contains(key))
            {
                foreach (var type in buildTypes)
                {
                    build.Remove(type);
                }
                build[key] = value!.DeepClone();
            }
            else if (key is "artifacts" or "tagPolicy")
            {
                build[key] = value!.DeepClone();
            }
            else
            {
                throw new NotSupportedException($"the tests do not model skaffold's overlay of build.{key}.");
            }
        }
    }

    private static void Patch(JsonObject root, string op, string path, JsonNode? value)
    {
        var parts = path.Split('/')[1..].Select(p => p.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        JsonNode parent = root;
        foreach (var part in parts[..^1])
        {
            parent = (parent is JsonArray a ? a[int.Parse(part, CultureInfo.InvariantCulture)] : parent[part])
                ?? throw new InvalidOperationException($"patch {op} {path}: {part} does not exist, so skaffold refuses the profile (invalid path).");
        }
        var last = parts[^1];
        switch (op, parent)
        {
            case ("add", JsonObject o):
                o[last] = value?.DeepClone();
                break;
            case ("add", JsonArray a):
                a.Insert(last == "-" ? a.Count : int.Parse(last, CultureInfo.InvariantCulture), value?.DeepClone());
                break;
            case ("replace", JsonObject o) when o.ContainsKey(last):
                o[last] = value?.DeepClone();
                break;
            case ("replace", JsonArray a):
                a[int.Parse(last, CultureInfo.InvariantCulture)] = value?.DeepClone();
                break;
            case ("remove", JsonObject o) when o.ContainsKey(last):
                o.Remove(last);
                break;
            case ("remove", JsonArray a):
                a.RemoveAt(int.Parse(last, CultureInfo.InvariantCulture));
                break;
            default:
                throw new InvalidOperationException($"patch {op} {path}: not applicable (or not modelled by the tests).");
        }
    }
}
