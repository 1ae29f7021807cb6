using System.Text.Json;
using Json.Schema;

namespace GoMicro.Testing;

/// <summary>
/// The JSON schemas of deployment artifacts, read from disk (never fetched): from
/// GOMICRO_SCHEMAS, by default ../shared/schemas beside the repository. Remote $refs are
/// answered from the folder's manifest.json urlMap.
/// </summary>
public static class OfflineSchemas
{
    public const string Variable = "GOMICRO_SCHEMAS";

    private static readonly Lazy<(string Root, Dictionary<string, string> UrlMap)> Folder = new(Load);

    // Kubernetes schemas carry x-kubernetes-* annotations, which are not JSON Schema keywords.
    private static readonly Dialect Lenient = Dialect.Draft07.With([], Dialect.Draft07.Id, null, allowUnknownKeywords: true);

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "GoMicro.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("GoMicro.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static JsonSchema Get(string url)
    {
        var (root, urlMap) = Folder.Value;
        var registry = new SchemaRegistry();
        // Their "$schema" is the unversioned http://json-schema.org/schema#, read as draft 7.
        var options = new BuildOptions { SchemaRegistry = registry, Dialect = Lenient };
        options.DialectRegistry.Register(Dialect.Draft07.With([], new Uri("http://json-schema.org/schema#"), null, allowUnknownKeywords: true));
        registry.Fetch = (uri, _) => urlMap.TryGetValue(uri.GetLeftPart(UriPartial.Path), out var local)
            ? JsonSchema.FromFile(Path.Combine(root, local), options, uri)
            : null;
        return JsonSchema.FromFile(Path.Combine(root, urlMap[url]), options, new Uri(url));
    }

    /// <summary>
    /// A schema given as text, such as a CRD's openAPIV3Schema, read as draft 7 with the
    /// x-kubernetes-* annotations allowed.
    /// </summary>
    public static JsonSchema FromText(string json) =>
        JsonSchema.FromText(json, new BuildOptions
        {
            SchemaRegistry = new SchemaRegistry(),
            Dialect = Lenient,
        }, new Uri($"urn:gomicro:schema:{Guid.NewGuid()}"));

    /// <summary>Every error with where it is, or an empty list.</summary>
    public static IReadOnlyList<string> Validate(JsonSchema schema, JsonElement document)
    {
        var results = schema.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : [.. (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))];
    }

    private static (string, Dictionary<string, string>) Load()
    {
        var root = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured
            ? configured
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "schemas"));
        var manifest = Path.Combine(root, "manifest.json");
        if (!File.Exists(manifest))
        {
            throw new InvalidOperationException($"No offline schemas at {root} (manifest.json missing): set {Variable} to the schemas folder.");
        }
        using var json = JsonDocument.Parse(File.ReadAllText(manifest));
        var urlMap = json.RootElement.GetProperty("urlMap").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        return (root, urlMap);
    }
}
