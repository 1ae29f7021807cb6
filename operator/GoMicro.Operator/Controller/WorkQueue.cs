using System.Threading.Channels;
using GoMicro.ServiceDefaults.Hosting;

namespace GoMicro.Operator.Controller;

/// <summary>
/// Keys of objects to reconcile, as client-go's work queue keeps them: a key waits in the
/// queue at most once however often it is added, is never handed to two workers at once,
/// and a key added while it is being processed runs again afterwards. Failures come back
/// after an exponential back-off per key.
/// </summary>
internal sealed class WorkQueue
{
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(2);

    private readonly Channel<string> _ready = Channel.CreateUnbounded<string>();
    private readonly HashSet<string> _queued = [];
    private readonly HashSet<string> _processing = [];
    private readonly HashSet<string> _dirty = [];
    private readonly Dictionary<string, int> _failures = [];
    private readonly Dictionary<string, DateTime> _scheduled = [];
    private readonly Lock _lock = new();

    public int Depth
    {
        get
        {
            lock (_lock)
            {
                return _queued.Count;
            }
        }
    }

    public void Add(string key)
    {
        lock (_lock)
        {
            if (_processing.Contains(key))
            {
                _dirty.Add(key);
                return;
            }
            if (_queued.Add(key))
            {
                _ready.Writer.TryWrite(key);
            }
        }
    }

    /// <summary>
    /// Adds the key after a delay. A key has at most one pending time, the earliest asked
    /// for, so repeated requests do not pile up timers and reconciliations.
    /// </summary>
    public void AddAfter(string key, TimeSpan delay, CancellationToken cancellationToken)
    {
        var due = DateTime.UtcNow + delay;
        lock (_lock)
        {
            if (_scheduled.TryGetValue(key, out var pending) && pending <= due)
            {
                return;
            }
            _scheduled[key] = due;
        }
        _ = Task.Delay(delay, cancellationToken).ContinueWith(_ =>
        {
            lock (_lock)
            {
                if (!_scheduled.TryGetValue(key, out var current) || current != due)
                {
                    return; // superseded by an earlier time
                }
                _scheduled.Remove(key);
            }
            Add(key);
        }, cancellationToken, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    /// <summary>Back-off for a key whose reconciliation failed: 0.5 s, 1 s, 2 s … up to 2 minutes.</summary>
    public TimeSpan Failed(string key, CancellationToken cancellationToken)
    {
        TimeSpan delay;
        lock (_lock)
        {
            var failures = _failures.GetValueOrDefault(key);
            _failures[key] = failures + 1;
            delay = Backoff.Exponential(BaseDelay, MaxDelay, failures + 1);
        }
        AddAfter(key, delay, cancellationToken);
        return delay;
    }

    public void Succeeded(string key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }

    public async ValueTask<string> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var key = await _ready.Reader.ReadAsync(cancellationToken);
            lock (_lock)
            {
                if (_queued.Remove(key))
                {
                    _processing.Add(key);
                    return key;
                }
            }
        }
    }

    public void Done(string key)
    {
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Remove(key) && _queued.Add(key))
            {
                _ready.Writer.TryWrite(key);
            }
        }
    }
}
