using System.Diagnostics;
using System.Text.Json.Nodes;
using GoMicro.Testing;

namespace GoMicro.Operator.Tests.Charts;

/// <summary>
/// The real helm binary, for linting and rendering the charts offline (no cluster is ever
/// contacted: lint and template only). Found through GOMICRO_HELM, else
/// &lt;repo&gt;/.deps/tools/bin/helm (where scripts/tools.sh puts it), else helm on the PATH;
/// with none, every chart test fails saying so.
/// </summary>
public static class Helm
{
    public const string Variable = "GOMICRO_HELM";

    /// <summary>The Kubernetes version of the offline schemas; helm renders for it.</summary>
    public const string KubeVersion = "1.32.10";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private static readonly Lazy<string> Binary = new(Find);
    private static readonly Lazy<string> Home = new(CreateHome);

    public static string Path => Binary.Value;

    /// <summary>`helm lint --strict` with the given flags (--set, -f, …); the output, or an exception with it.</summary>
    public static string Lint(string chartDirectory, params string[] flags)
    {
        var (code, stdout, stderr) = Run(["lint", "--strict", "--kube-version", KubeVersion, chartDirectory, .. flags]);
        return code == 0
            ? stdout
            : throw new HelmException($"helm lint --strict {System.IO.Path.GetFileName(chartDirectory)} {string.Join(' ', flags)} failed ({code}):\n{stdout}\n{stderr}");
    }

    /// <summary>`helm template` with the given flags, each rendered object parsed; an exception with helm's message when helm refuses.</summary>
    public static IReadOnlyList<JsonObject> Template(string chartDirectory, string release, string ns, params string[] flags)
    {
        var (code, stdout, stderr) = Run(["template", release, chartDirectory, "--namespace", ns, "--kube-version", KubeVersion, .. flags]);
        if (code != 0)
        {
            throw new HelmException($"helm template {release} {System.IO.Path.GetFileName(chartDirectory)} {string.Join(' ', flags)} failed ({code}):\n{stderr}");
        }
        return [.. YamlJson.Documents(stdout).Select(d => d as JsonObject ?? throw new HelmException($"helm rendered a document that is not an object: {d?.ToJsonString()}"))];
    }

    /// <summary>--values and a file holding <paramref name="json"/> (JSON is YAML), deleted when the tests end.</summary>
    public static string[] Values(string json)
    {
        var file = System.IO.Path.Combine(Home.Value, $"values-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, JsonNode.Parse(json)!.ToJsonString());
        return ["--values", file];
    }

    private static (int Code, string Stdout, string Stderr) Run(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // Nothing of the user's helm or cluster configuration: no repositories, plugins or kube context.
        start.Environment["HELM_CACHE_HOME"] = System.IO.Path.Combine(Home.Value, "cache");
        start.Environment["HELM_CONFIG_HOME"] = System.IO.Path.Combine(Home.Value, "config");
        start.Environment["HELM_DATA_HOME"] = System.IO.Path.Combine(Home.Value, "data");
        start.Environment["KUBECONFIG"] = System.IO.Path.Combine(Home.Value, "no-kubeconfig");
        using var process = Process.Start(start) ?? throw new HelmException($"could not start {Path}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new HelmException($"helm {string.Join(' ', arguments)} did not finish within {Timeout}");
        }
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static string CreateHome()
    {
        var home = Directory.CreateTempSubdirectory("gomicro-helm-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(home, recursive: true);
        return home;
    }

    private static string Find()
    {
        const string Hint = "Run scripts/tools.sh (it puts helm at .deps/tools/bin/helm), or set " + Variable + " to a helm 3 binary.";
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new HelmException($"{Variable}={configured} does not exist. {Hint}");
        }
        var deps = System.IO.Path.Combine(OfflineSchemas.RepositoryRoot, ".deps", "tools", "bin", "helm");
        if (File.Exists(deps))
        {
            return deps;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, "helm");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new HelmException($"No helm binary: not in {Variable}, not at {deps}, not on the PATH. The chart tests need the real helm. {Hint}");
    }
}

public sealed class HelmException(string message) : Exception(message);
