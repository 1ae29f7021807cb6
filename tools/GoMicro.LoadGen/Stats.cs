using System.Collections.Concurrent;
using System.Globalization;

namespace GoMicro.LoadGen;

/// <summary>Latencies and failures per route, printed as a Markdown table.</summary>
public sealed class Stats
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<(double Ms, bool Ok, int Status)>> _samples = new();

    public long Errors => _samples.Values.Sum(bag => bag.Count(s => !s.Ok));

    public void Add(string route, TimeSpan elapsed, bool ok, int status) =>
        _samples.GetOrAdd(route, _ => []).Add((elapsed.TotalMilliseconds, ok, status));

    /// <summary>One line, for scripts: "statuses: 200=812 412=3 503=40 0=2" (0: no answer).</summary>
    public string StatusLine() =>
        "statuses: " + string.Join(' ', _samples.Values.SelectMany(b => b).GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}"));

    public void Print(TimeSpan elapsed)
    {
        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine("| route | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (route, bag) in _samples.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var ms = bag.Select(s => s.Ms).Order().ToArray();
            var errors = bag.Count(s => !s.Ok);
            Console.WriteLine(string.Create(culture,
                $"| {route} | {ms.Length} | {errors} | {ms.Length / elapsed.TotalSeconds:0.0} | {P(ms, 50):0.0} | {P(ms, 95):0.0} | {P(ms, 99):0.0} | {ms[^1]:0.0} |"));
        }
        var total = _samples.Values.Sum(b => b.Count);
        Console.WriteLine(string.Create(culture, $"| **all** | {total} | {Errors} | {total / elapsed.TotalSeconds:0.0} | | | | |"));
        foreach (var (route, bag) in _samples)
        {
            foreach (var failure in bag.Where(s => !s.Ok).GroupBy(s => s.Status))
            {
                Console.WriteLine($"  {route}: {failure.Count()} × HTTP {failure.Key}");
            }
        }
        Console.WriteLine(StatusLine());
    }

    private static double P(double[] sorted, int percentile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
