namespace GoMicro.ServiceDefaults.Hosting;

/// <summary>Capped exponential back-off with jitter, for loops that wait out an unavailable dependency.</summary>
public static class Backoff
{
    /// <summary>250 ms doubled per failure in a row, at most <paramref name="max"/> (10 s by default), plus up to 250 ms of jitter.</summary>
    public static TimeSpan Capped(int failuresInARow, TimeSpan? max = null)
    {
        var cap = (max ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
        var delay = Math.Min(cap, 250 * Math.Pow(2, Math.Clamp(failuresInARow - 1, 0, 16)));
        return TimeSpan.FromMilliseconds(delay + Random.Shared.Next(0, 250));
    }
}
