using System.Collections.Concurrent;
using HdrHistogram;

namespace GoMicro.LoadGen;

/// <summary>One route's latencies (an HdrHistogram in microseconds, 3 significant digits) and answers.</summary>
public sealed class RouteStats
{
    /// <summary>Up to a minute: the client gives up after 30 s.</summary>
    private const long HighestMicroseconds = 60_000_000;

    private long _errors;

    public LongConcurrentHistogram Latency { get; } = new(1, HighestMicroseconds, 3);

    public ConcurrentDictionary<int, long> Statuses { get; } = new();

    public long Count => Latency.TotalCount;

    public long Errors => Interlocked.Read(ref _errors);

    public void Add(TimeSpan elapsed, bool ok, int status)
    {
        Latency.RecordValue(Math.Clamp((long)elapsed.TotalMicroseconds, 1, HighestMicroseconds));
        Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        if (!ok)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    /// <summary>Milliseconds at a percentile (0 to 100).</summary>
    public double PercentileMs(double percentile) => Count == 0 ? 0 : Latency.GetValueAtPercentile(percentile) / 1000.0;

    public double MaxMs => Count == 0 ? 0 : Latency.GetMaxValue() / 1000.0;
}
