using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GoMicro.ServiceDefaults.Hosting;

/// <summary>
/// A background loop for work that settles things by itself (recovery, refunds, expiry,
/// purges): it does units of work until there are none, then waits <see cref="Interval"/> or
/// until <see cref="Wake"/>; while a dependency is down it backs off (capped) and tries again,
/// for as long as it takes.
/// </summary>
public abstract partial class PollingWorker(TimeProvider clock, ILogger logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected TimeProvider Clock { get; } = clock;

    protected abstract TimeSpan Interval { get; }

    protected virtual TimeSpan MaxBackoff => TimeSpan.FromSeconds(30);

    /// <summary>One unit of work; true when there may be more to do at once.</summary>
    protected abstract Task<bool> RunOnceAsync(CancellationToken cancellationToken);

    /// <summary>There is work: look now rather than at the next interval.</summary>
    public void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunOnceAsync(stoppingToken))
                {
                    failures = 0;
                }
                failures = 0;
                await _wake.WaitAsync(Interval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                LogFailed(logger, GetType().Name, failures, ex.GetBaseException().Message);
                await Task.Delay(Backoff.Capped(failures, MaxBackoff), Clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Worker} failed ({Failures} in a row), retrying: {Reason}")]
    private static partial void LogFailed(ILogger logger, string worker, int failures, string reason);
}
