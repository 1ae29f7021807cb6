using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GoMicro.Operator.Controller;

/// <summary>
/// What /healthz/ready reports: a leader is ready once every watch has made its first list
/// (so a missing CRD or a list refused by RBAC keeps it unready, and the rollout says so); a
/// standby once it has read the Lease and seen another process lead. Anything else reconciles
/// nothing.
/// </summary>
internal sealed class ControllerReadiness : IHealthCheck
{
    private readonly Lock _lock = new();
    private bool _leading;
    private int _syncedWatches;
    private string? _leader;

    public void StartedLeading()
    {
        lock (_lock)
        {
            _leading = true;
            _syncedWatches = 0;
        }
    }

    public void StoppedLeading()
    {
        lock (_lock)
        {
            _leading = false;
            _syncedWatches = 0;
            _leader = null; // ready again as a standby only once it has seen who leads now
        }
    }

    public void WatchesSynced(int count)
    {
        lock (_lock)
        {
            _syncedWatches = count;
        }
    }

    public void SawLeader(string leader)
    {
        lock (_lock)
        {
            _leader = leader;
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult((_leading, _syncedWatches, _leader) switch
            {
                (true, > 0, _) => HealthCheckResult.Healthy($"leading, {_syncedWatches} watches synced"),
                (true, _, _) => HealthCheckResult.Unhealthy("leading, but the watches have not synced yet (is the CRD installed, and does RBAC allow list and watch?)"),
                (false, _, { } leader) => HealthCheckResult.Healthy($"standby; {leader} leads"),
                _ => HealthCheckResult.Unhealthy("the leader Lease has not been read yet"),
            });
        }
    }
}
