using System.Collections.Concurrent;
using System.Diagnostics;

namespace GoMicro.LoadGen;

/// <summary>
/// A fixed arrival rate: steps start on the <see cref="ArrivalSchedule"/>, each timed from its
/// scheduled start, so a slow answer cannot delay the next arrivals and hide the queueing
/// (coordinated omission). Each step needs an idle shopper; an arrival that finds none is
/// counted as missed, which bounds the requests outstanding to the number of shoppers.
/// </summary>
public sealed class OpenLoop(IReadOnlyList<ShopperSession> sessions, string scenario, double rate, Measurement measurement)
{
    /// <summary>The timer's tick: arrivals due within it are started together, each still timed from its own due time.</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMilliseconds(50);

    /// <summary>Longer than the client's timeout: every step has ended by then.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(35);

    private readonly ConcurrentQueue<ShopperSession> _idle = new(sessions);
    private int _outstanding;

    public int Outstanding => Volatile.Read(ref _outstanding);

    public async Task RunAsync(RequestBudget budget, CancellationToken stop)
    {
        var schedule = new ArrivalSchedule(rate);
        var requests = ShopperSession.RequestsPerStep(scenario);
        var start = Stopwatch.GetTimestamp();
        long next = 0;
        while (!stop.IsCancellationRequested)
        {
            var due = schedule.DueBy(Stopwatch.GetElapsedTime(start));
            for (; next < due && !stop.IsCancellationRequested; next++)
            {
                if (!budget.TryTake(requests))
                {
                    await DrainAsync();
                    return;
                }
                var scheduled = start + (long)(schedule.DueAt(next).TotalSeconds * Stopwatch.Frequency);
                if (_idle.TryDequeue(out var session))
                {
                    Interlocked.Increment(ref _outstanding);
                    _ = RunStepAsync(session, scheduled);
                }
                else
                {
                    measurement.Current.Miss();
                }
            }
            var wait = schedule.DueAt(next) - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait < MaxSleep ? wait : MaxSleep, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        await DrainAsync();
    }

    private async Task RunStepAsync(ShopperSession session, long scheduled)
    {
        try
        {
            await session.StepAsync(scenario, scheduled);
        }
        finally
        {
            _idle.Enqueue(session);
            Interlocked.Decrement(ref _outstanding);
        }
    }

    private async Task DrainAsync()
    {
        var limit = Stopwatch.GetTimestamp();
        while (Outstanding > 0 && Stopwatch.GetElapsedTime(limit) < DrainLimit)
        {
            await Task.Delay(10, CancellationToken.None);
        }
    }
}
