using System.Globalization;

namespace GoMicro.LoadGen;

/// <summary>
/// The result on stdout: a Markdown table, the failures by status, one tab-separated
/// <c>result</c> line per route and the <c>statuses:</c> line, the last two for scripts
/// (scripts/bench.sh, scripts/chaos.sh).
/// </summary>
public static class ResultTable
{
    public static void Print(RunResult result, Stats stats, TextWriter output)
    {
        var culture = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine("| route | requests | errors | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in result.Routes)
        {
            output.WriteLine(string.Create(culture,
                $"| {r.Route} | {r.Count} | {r.Errors} | {r.RequestsPerSecond:0.0} | {r.P50Ms:0.0} | {r.P90Ms:0.0} | {r.P99Ms:0.0} | {r.P999Ms:0.0} | {r.MaxMs:0.0} |"));
        }
        output.WriteLine(string.Create(culture, $"| **all** | {result.Requests} | {result.Errors} | {result.Requests / Math.Max(result.Seconds, 0.001):0.0} | | | | | |"));
        foreach (var r in result.Routes)
        {
            foreach (var (status, count) in r.Statuses.Where(s => s.Key is not ("200" or "201" or "204")))
            {
                output.WriteLine($"  {r.Route}: {count} × HTTP {status}");
            }
        }
        if (result.WarmupRequests > 0)
        {
            output.WriteLine($"warm-up (not counted above): {result.WarmupRequests} requests, {result.WarmupErrors} errors");
        }
        if (result.Mode == "open")
        {
            output.WriteLine(string.Create(culture, $"open loop at {result.Rate:0.#}/s: {result.Missed} arrivals missed (all {result.Shoppers} shoppers busy)"));
        }
        foreach (var r in result.Routes)
        {
            output.WriteLine(string.Create(culture,
                $"result\t{r.Route}\t{r.Count}\t{r.Errors}\t{r.RequestsPerSecond:0.0}\t{r.P50Ms:0.###}\t{r.P90Ms:0.###}\t{r.P99Ms:0.###}\t{r.P999Ms:0.###}\t{r.MaxMs:0.###}\t{result.Missed}\t{result.Seconds:0.###}"));
        }
        output.WriteLine(stats.StatusLine());
    }
}
