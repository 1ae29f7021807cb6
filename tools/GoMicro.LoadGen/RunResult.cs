using System.Text.Json;
using System.Text.Json.Serialization;

namespace GoMicro.LoadGen;

/// <summary>What a run measured, as written by --json (times in milliseconds).</summary>
public sealed record RunResult(
    string Scenario,
    string Mode,
    double? Rate,
    int Shoppers,
    double WarmupSeconds,
    double Seconds,
    long Requests,
    long Errors,
    long Missed,
    long WarmupRequests,
    long WarmupErrors,
    IReadOnlyList<RouteResult> Routes)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static RunResult From(LoadOptions options, Stats stats, Stats? warmup, TimeSpan measured) => new(
        options.Scenario,
        options.OpenLoop ? "open" : "closed",
        options.OpenLoop ? options.Rate : null,
        options.Shoppers,
        options.Warmup.TotalSeconds,
        Math.Round(measured.TotalSeconds, 3),
        stats.Requests,
        stats.Errors,
        stats.Missed,
        warmup?.Requests ?? 0,
        warmup?.Errors ?? 0,
        [.. stats.Routes.Select(kv => RouteResult.From(kv.Key, kv.Value, measured))]);

    public async Task WriteJsonAsync(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, this, Json);
    }
}

public sealed record RouteResult(
    string Route,
    long Count,
    long Errors,
    double RequestsPerSecond,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs,
    IReadOnlyDictionary<string, long> Statuses)
{
    public static RouteResult From(string route, RouteStats stats, TimeSpan measured) => new(
        route,
        stats.Count,
        stats.Errors,
        Math.Round(stats.Count / Math.Max(measured.TotalSeconds, 0.001), 1),
        Round(stats.PercentileMs(50)),
        Round(stats.PercentileMs(90)),
        Round(stats.PercentileMs(99)),
        Round(stats.PercentileMs(99.9)),
        Round(stats.MaxMs),
        stats.Statuses.OrderBy(s => s.Key).ToDictionary(s => s.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), s => s.Value));

    private static double Round(double ms) => Math.Round(ms, 3);
}
