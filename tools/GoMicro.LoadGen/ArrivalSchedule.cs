namespace GoMicro.LoadGen;

/// <summary>
/// The open loop's timetable: arrival <c>i</c> (from 0) is due <c>i / rate</c> seconds after
/// the start, whatever happened to the arrivals before it.
/// </summary>
public sealed class ArrivalSchedule
{
    private readonly double _rate;

    public ArrivalSchedule(double ratePerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        _rate = ratePerSecond;
    }

    /// <summary>When arrival <paramref name="index"/> is due, after the start.</summary>
    public TimeSpan DueAt(long index) => TimeSpan.FromSeconds(index / _rate);

    /// <summary>How many arrivals are due by <paramref name="elapsed"/> after the start (those with <see cref="DueAt"/> ≤ elapsed).</summary>
    public long DueBy(TimeSpan elapsed) => elapsed < TimeSpan.Zero ? 0 : (long)Math.Floor(elapsed.TotalSeconds * _rate + 1e-9) + 1;
}
