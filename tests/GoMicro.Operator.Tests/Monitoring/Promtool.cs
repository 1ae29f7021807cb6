using System.Diagnostics;

namespace GoMicro.Operator.Tests.Monitoring;

/// <summary>
/// Prometheus's promtool (Debian's package `prometheus`; .ci/run installs it): GOMICRO_PROMTOOL
/// when set, else promtool on the PATH. Without it the tests fail and say what to install.
/// </summary>
public static class Promtool
{
    public const string Variable = "GOMICRO_PROMTOOL";

    public static string Path => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured
        ? configured
        : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator)
            .Select(dir => System.IO.Path.Combine(dir, "promtool")).FirstOrDefault(File.Exists)
          ?? throw new InvalidOperationException($"promtool not found: install it (apt-get install prometheus, as .ci/run does) or set {Variable} to its path.");

    /// <summary>Runs promtool; the exit code and everything it printed.</summary>
    public static (int Code, string Output) Run(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Path) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"promtool {string.Join(" ", args)} did not finish in 2 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public static void AssertSucceeds(string workingDirectory, params string[] args)
    {
        var (code, output) = Run(workingDirectory, args);
        Assert.True(code == 0, $"promtool {string.Join(" ", args)} exited {code}:\n{output}");
    }
}
