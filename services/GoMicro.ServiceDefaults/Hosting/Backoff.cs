namespace GoMicro.ServiceDefaults.Hosting;

/// <summary>Capped exponential back-off: the one formula of every wait that grows with failures in a row.</summary>
public static class Backoff
{
    /// <summary>The wait after <paramref name="failuresInARow"/> failures: <paramref name="first"/> × 2^(n−1), at most <paramref name="max"/>.</summary>
    public static TimeSpan Exponential(TimeSpan first, TimeSpan max, int failuresInARow) =>
        TimeSpan.FromTicks((long)Math.Min(max.Ticks, first.Ticks * Math.Pow(2, Math.Clamp(failuresInARow - 1, 0, 30))));

    /// <summary>For loops that wait out an unavailable dependency: 250 ms doubled per failure in a row, at most <paramref name="max"/> (10 s by default), plus up to 250 ms of jitter.</summary>
    public static TimeSpan Capped(int failuresInARow, TimeSpan? max = null) =>
        Exponential(TimeSpan.FromMilliseconds(250), max ?? TimeSpan.FromSeconds(10), failuresInARow)
        + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250));
}
