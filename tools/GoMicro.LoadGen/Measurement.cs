using System.Diagnostics;

namespace GoMicro.LoadGen;

/// <summary>
/// The stats being recorded now. The warm-up records into its own stats, which are dropped
/// when it ends: only what follows is reported.
/// </summary>
public sealed class Measurement
{
    private volatile Stats _current = new();

    public Stats Current => _current;

    /// <summary>When the reported measurement began (a <see cref="Stopwatch"/> timestamp).</summary>
    public long StartedAt { get; private set; } = Stopwatch.GetTimestamp();

    public bool WarmingUp { get; private set; }

    /// <summary>What the warm-up recorded (not reported beside the measurement, but said).</summary>
    public Stats? Warmup { get; private set; }

    public void BeginWarmup() => WarmingUp = true;

    public void EndWarmup()
    {
        StartedAt = Stopwatch.GetTimestamp();
        Warmup = _current;
        _current = new Stats();
        WarmingUp = false;
    }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(StartedAt);
}
