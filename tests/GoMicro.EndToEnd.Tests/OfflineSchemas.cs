using System.Text.Json;
using Json.Schema;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// The JSON schemas of deployment artifacts, read from disk (never fetched): from
/// GOMICRO_SCHEMAS, by default ../shared/schemas beside the repository. Remote $refs are
/// answered from the folder's manifest.json urlMap.
/// </summary>
public static class OfflineSchemas
{
    public const string Variable = "GOMICRO_SCHEMAS";

    private static readonly Lazy<(string Root, Dictionary<string, string> UrlMap)> Folder = new(Load);

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
        registry.Fetch = (uri, _) => urlMap.TryGetValue(uri.GetLeftPart(UriPartial.Path), out var local)
            ? JsonSchema.FromFile(Path.Combine(root, local), new BuildOptions { SchemaRegistry = registry }, uri)
            : null;
        return JsonSchema.FromFile(Path.Combine(root, urlMap[url]), new BuildOptions { SchemaRegistry = registry }, new Uri(url));
    }

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
