using GoMicro.Operator.Crd;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace GoMicro.Operator.Controller;

/// <summary>Kubernetes Events (events.k8s.io/v1) about a shop, shown by `kubectl describe gms`.</summary>
internal sealed partial class EventRecorder(IKubernetes client, OperatorIdentity identity, TimeProvider clock, ILogger<EventRecorder> logger)
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    public async Task RecordAsync(GoMicroShop shop, string type, string reason, string action, string note, CancellationToken cancellationToken)
    {
        var ns = shop.Metadata.NamespaceProperty;
        var ev = new Eventsv1Event
        {
            ApiVersion = "events.k8s.io/v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { GenerateName = shop.Metadata.Name + ".", NamespaceProperty = ns },
            EventTime = clock.GetUtcNow().UtcDateTime,
            Type = type,
            Reason = reason,
            Action = action,
            Note = note.Length > 1000 ? note[..1000] : note,
            ReportingController = "gomicro.io/" + Apply.FieldManager,
            ReportingInstance = identity.Name,
            Regarding = new V1ObjectReference
            {
                ApiVersion = shop.ApiVersion,
                Kind = shop.Kind,
                Name = shop.Metadata.Name,
                NamespaceProperty = ns,
                Uid = shop.Metadata.Uid,
                ResourceVersion = shop.Metadata.ResourceVersion,
            },
        };
        try
        {
            await client.EventsV1.CreateNamespacedEventAsync(ev, ns, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException)
        {
            // An event that cannot be written must not fail the reconciliation it describes.
            LogEventFailed(logger, reason, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason}: {Error}")]
    private static partial void LogEventFailed(ILogger logger, string reason, string error);
}

/// <summary>Who this operator process is: the pod name in a cluster, for the lease and for events.</summary>
internal sealed record OperatorIdentity(string Name, string Namespace);
