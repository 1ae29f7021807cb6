namespace GoMicro.LoadGen;

/// <summary>A hard cap on requests across all shoppers; a step takes as many as it will send.</summary>
public sealed class RequestBudget(long max)
{
    private long _used;

    public bool TryTake(int requests) => Interlocked.Add(ref _used, requests) <= max;
}
