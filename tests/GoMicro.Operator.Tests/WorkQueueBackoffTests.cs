using GoMicro.Operator.Controller;

namespace GoMicro.Operator.Tests;

/// <summary>A key whose reconciliation keeps failing comes back after 0.5 s, 1 s, 2 s … at most 2 minutes (ServiceDefaults' Backoff.Exponential).</summary>
public sealed class WorkQueueBackoffTests
{
    [Fact]
    public void A_failing_key_backs_off_exponentially_up_to_two_minutes_and_starts_over_after_a_success()
    {
        using var stop = new CancellationTokenSource();
        var queue = new WorkQueue();

        var delays = Enumerable.Range(0, 10).Select(_ => queue.Failed("shops/acme", stop.Token).TotalSeconds).ToList();
        queue.Succeeded("shops/acme");

        Assert.Equal([0.5, 1, 2, 4, 8, 16, 32, 64, 120, 120], delays);
        Assert.Equal(TimeSpan.FromMilliseconds(500), queue.Failed("shops/acme", stop.Token));
        stop.Cancel();
    }
}
