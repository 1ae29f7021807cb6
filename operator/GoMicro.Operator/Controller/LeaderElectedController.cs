using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoMicro.Operator.Controller;

/// <summary>
/// Runs the controller only while this instance holds the Lease, so two operator replicas
/// never reconcile at once; the other waits, and takes over within a lease duration when
/// the leader goes away.
/// </summary>
internal sealed partial class LeaderElectedController(
    IKubernetes client, IServiceProvider services, OperatorIdentity identity, ControllerReadiness readiness, IOptions<OperatorOptions> options,
    IHostApplicationLifetime lifetime, ILogger<LeaderElectedController> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var elector = new LeaderElector(new LeaderElectionConfig(new LeaseLock(client, identity.Namespace, o.LeaseName, identity.Name))
        {
            LeaseDuration = o.LeaseDuration,
            RenewDeadline = o.RenewDeadline,
            RetryPeriod = o.RetryPeriod,
        });
        CancellationTokenSource? term = null;
        elector.OnStartedLeading += () =>
        {
            term?.Dispose();
            term = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            OperatorMetrics.Leader.Set(1);
            readiness.StartedLeading();
            LogLeading(logger, identity.Name);
            var controller = ActivatorUtilities.CreateInstance<ShopController>(services);
            // A leader whose controller died would keep renewing the lease and reconcile
            // nothing: stop the process instead, so the pod restarts and a standby can lead.
            _ = controller.RunAsync(term.Token).ContinueWith(run =>
            {
                LogControllerFailed(logger, run.Exception!.GetBaseException());
                lifetime.StopApplication();
            }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        };
        elector.OnStoppedLeading += () =>
        {
            term?.Cancel();
            readiness.StoppedLeading();
            OperatorMetrics.Leader.Set(0);
            LogStopped(logger, identity.Name);
        };
        elector.OnNewLeader += leader =>
        {
            // Our own name here means the lease is ours: OnStartedLeading follows, and this
            // process is ready only once its watches sync, not as a standby in between.
            if (leader != identity.Name)
            {
                readiness.SawLeader(leader);
            }
            LogNewLeader(logger, leader);
        };
        try
        {
            await elector.RunAndTryToHoldLeadershipForeverAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            term?.Cancel();
            term?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} holds the lease: reconciling")]
    private static partial void LogLeading(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} lost the lease: stopped reconciling")]
    private static partial void LogStopped(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The controller stopped; stopping the operator so that it restarts")]
    private static partial void LogControllerFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader is {Leader}")]
    private static partial void LogNewLeader(ILogger logger, string leader);
}
