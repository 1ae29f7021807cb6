using System.Globalization;

namespace GoMicro.LoadGen;

/// <summary>
/// Once a second on stderr: elapsed time, requests per second in that second, errors, the p99
/// so far, and (open loop) requests outstanding and arrivals missed. On a terminal the line is
/// redrawn in place; otherwise (with --progress) one line per second.
/// </summary>
public sealed class ProgressLine(Measurement measurement, Func<int>? outstanding)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static bool ShouldShow(bool? requested) => requested ?? !Console.IsErrorRedirected;

    public async Task RunAsync(CancellationToken stop)
    {
        var terminal = !Console.IsErrorRedirected;
        using var timer = new PeriodicTimer(Interval);
        long last = 0;
        Stats? lastStats = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var stats = measurement.Current;
                if (!ReferenceEquals(stats, lastStats))
                {
                    last = 0; // the warm-up ended: a new measurement
                    lastStats = stats;
                }
                var requests = stats.Requests;
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{(measurement.WarmingUp ? "warm-up " : "")}{measurement.Elapsed.TotalSeconds,5:0}s {requests - last,8} req/s  errors {stats.Errors}  p99 {stats.P99Ms():0.0} ms");
                if (outstanding is not null)
                {
                    line += string.Create(CultureInfo.InvariantCulture, $"  outstanding {outstanding()}  missed {stats.Missed}");
                }
                last = requests;
                await Console.Error.WriteAsync(terminal ? "\r" + line.PadRight(100) : line + Environment.NewLine);
            }
        }
        catch (OperationCanceledException)
        {
            // the run ended
        }
        if (terminal)
        {
            await Console.Error.WriteAsync("\r" + new string(' ', 100) + "\r");
        }
    }
}
