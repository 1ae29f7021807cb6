using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GoMicro.Operator.Controller;

/// <summary>
/// Hands a Deployment's replicas over to its autoscaler without a dip. Under server-side
/// apply, a field its only owner stops applying is removed: were the operator, owner of
/// replicas until now, simply to leave them out, the Deployment would drop to its default of
/// one pod before the autoscaler scaled it back. So first a second field manager applies
/// the current count, sharing the field; the operator's apply without replicas then leaves
/// it to that manager, and the autoscaler's next change takes it over (Kubernetes'
/// documented way of transferring ownership). Once the operator no longer owns the field,
/// this does nothing.
/// </summary>
internal static class ReplicasHandover
{
    public const string FieldManager = "gomicro-operator-handover";

    public static async Task ReleaseAsync(IKubernetes client, V1Deployment desired, CancellationToken cancellationToken)
    {
        if (desired.Spec.Replicas is not null)
        {
            return;
        }
        V1Deployment live;
        try
        {
            live = await client.AppsV1.ReadNamespacedDeploymentAsync(desired.Metadata.Name, desired.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return; // created without replicas: the default, then the autoscaler's
        }
        if (live.Spec.Replicas is not { } replicas || !OwnsReplicas(live))
        {
            return;
        }
        var handover = new
        {
            apiVersion = "apps/v1",
            kind = "Deployment",
            metadata = new { name = desired.Metadata.Name, @namespace = desired.Metadata.NamespaceProperty },
            spec = new { replicas },
        };
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(handover, V1Patch.PatchType.ApplyPatch), desired.Metadata.Name, desired.Metadata.NamespaceProperty,
            fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
    }

    /// <summary>Whether the operator's apply owns spec.replicas (managedFields, fieldsV1 form).</summary>
    public static bool OwnsReplicas(V1Deployment live) =>
        (live.Metadata.ManagedFields ?? []).Any(entry => entry.Manager == Apply.FieldManager && entry.Operation == "Apply"
            && entry.FieldsV1 is not null
            && JsonNode.Parse(KubernetesJson.Serialize(entry.FieldsV1))?["f:spec"]?["f:replicas"] is not null);
}
