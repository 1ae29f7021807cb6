using System.Diagnostics;
using System.Net;
using GoMicro.ServiceDefaults.Hosting;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace GoMicro.Operator.Controller;

/// <summary>
/// List-then-watch of one kind, as client-go's reflector does it: list once, then watch from
/// the list's resourceVersion with bookmarks (so a quiet watch still moves its
/// resourceVersion forward), resume from the last version when the server ends a watch, and
/// list again only when that version has expired (410 Gone) or the connection broke.
/// </summary>
internal interface IInformer
{
    /// <summary>Completes once the first list has been handed over.</summary>
    Task Synced { get; }

    Task RunAsync(CancellationToken cancellationToken);
}

internal sealed partial class Informer<T>(
    string name,
    Func<CancellationToken, Task<(IEnumerable<T> Items, string ResourceVersion)>> list,
    Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Object)>> watch,
    Action<WatchEventType, T> onEvent,
    ILogger logger,
    bool optional = false)
    : IInformer
    where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _reportedMissing;

    /// <summary>How often an optional kind that is not served is looked for again.</summary>
    private static readonly TimeSpan OptionalRetry = TimeSpan.FromSeconds(30);

    public Task Synced => _synced.Task;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var (items, resourceVersion) = await list(cancellationToken);
                foreach (var item in items)
                {
                    onEvent(WatchEventType.Added, item);
                }
                _synced.TrySetResult();
                failures = 0;
                _reportedMissing = false;
                while (true)
                {
                    // The client hands a watch's ERROR event (a Status) to onError and ends the stream.
                    Exception? error = null;
                    var started = Stopwatch.GetTimestamp();
                    var events = 0;
                    await foreach (var (type, item) in watch(resourceVersion, e => error = e, cancellationToken))
                    {
                        events++;
                        resourceVersion = item.Metadata?.ResourceVersion ?? resourceVersion;
                        if (type is not (WatchEventType.Bookmark or WatchEventType.Error))
                        {
                            onEvent(type, item);
                        }
                    }
                    if (error is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
                    {
                        LogExpired(logger, name);
                        break; // the resourceVersion is too old: list again
                    }
                    if (error is not null)
                    {
                        throw error;
                    }
                    if (events == 0 && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
                    {
                        // A server that ends watches at once must not turn this into a busy loop.
                        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
            {
                LogExpired(logger, name);
            }
            catch (HttpOperationException e) when (optional && e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // An optional kind whose CRD is not installed: said once, then looked for quietly.
                if (!_reportedMissing)
                {
                    _reportedMissing = true;
                    LogNotServed(logger, name, OptionalRetry.TotalSeconds);
                }
                await Task.Delay(OptionalRetry, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Whatever broke (connection, time-out, an object that did not deserialize), the
                // informer must keep going: a dead informer would leave the leader reconciling nothing.
                failures++;
                LogWatchFailed(logger, name, e.Message);
                await Task.Delay(Backoff.Exponential(TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(30), failures), cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind}: watch expired, listing again")]
    private static partial void LogExpired(ILogger logger, string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind}: not served by the API server (its operator is not installed); looking again every {Seconds} s")]
    private static partial void LogNotServed(ILogger logger, string kind, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind}: list or watch failed ({Error}), retrying")]
    private static partial void LogWatchFailed(ILogger logger, string kind, string error);
}
