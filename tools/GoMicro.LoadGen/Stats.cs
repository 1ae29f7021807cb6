using System.Collections.Concurrent;

namespace GoMicro.LoadGen;

/// <summary>Every route's <see cref="RouteStats"/> of one measurement, and the open loop's missed arrivals.</summary>
public sealed class Stats
{
    private readonly ConcurrentDictionary<string, RouteStats> _routes = new(StringComparer.Ordinal);
    private long _missed;

    public IEnumerable<KeyValuePair<string, RouteStats>> Routes => _routes.OrderBy(kv => kv.Key, StringComparer.Ordinal);

    public long Requests => _routes.Values.Sum(r => r.Count);

    public long Errors => _routes.Values.Sum(r => r.Errors);

    /// <summary>Open loop: arrivals not started because every shopper was busy (the bound on outstanding requests).</summary>
    public long Missed => Interlocked.Read(ref _missed);

    public void Add(string route, TimeSpan elapsed, bool ok, int status) =>
        _routes.GetOrAdd(route, _ => new RouteStats()).Add(elapsed, ok, status);

    public void Miss() => Interlocked.Increment(ref _missed);

    /// <summary>One line, for scripts: "statuses: 200=812 412=3 503=40 0=2" (0: no answer).</summary>
    public string StatusLine() =>
        "statuses: " + string.Join(' ', _routes.Values.SelectMany(r => r.Statuses).GroupBy(s => s.Key).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Sum(s => s.Value)}"));

    /// <summary>The 99th percentile over every route so far, for the progress line.</summary>
    public double P99Ms()
    {
        var all = new HdrHistogram.LongHistogram(1, 60_000_000, 3);
        foreach (var route in _routes.Values)
        {
            all.Add(route.Latency);
        }
        return all.TotalCount == 0 ? 0 : all.GetValueAtPercentile(99) / 1000.0;
    }
}
