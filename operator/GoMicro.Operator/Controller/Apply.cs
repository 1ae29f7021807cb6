using System.Reflection;
using GoMicro.Operator.Crd;
using GoMicro.Operator.Resources;
using GoMicro.Operator.Resources.Providers;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Controller;

/// <summary>
/// Server-side apply of the kinds a shop owns, under one field manager and with force: the
/// operator owns every field it sets, so an edit by hand is taken back on the next pass.
/// </summary>
internal static class Apply
{
    public const string FieldManager = "gomicro-operator";

    public static async Task<IKubernetesObject<V1ObjectMeta>> ApplyAsync(this IKubernetes client, IKubernetesObject<V1ObjectMeta> desired, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(desired, V1Patch.PatchType.ApplyPatch);
        var name = desired.Metadata.Name;
        var ns = desired.Metadata.NamespaceProperty;
        return desired switch
        {
            V1Deployment => await client.AppsV1.PatchNamespacedDeploymentAsync(patch, name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken),
            V1StatefulSet => await client.AppsV1.PatchNamespacedStatefulSetAsync(patch, name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken),
            V1Service => await client.CoreV1.PatchNamespacedServiceAsync(patch, name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken),
            V1ConfigMap => await client.CoreV1.PatchNamespacedConfigMapAsync(patch, name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken),
            V1NetworkPolicy => await client.NetworkingV1.PatchNamespacedNetworkPolicyAsync(patch, name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken),
            V2HorizontalPodAutoscaler => await client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(patch, name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken),
            V1PodDisruptionBudget => await client.PolicyV1.PatchNamespacedPodDisruptionBudgetAsync(patch, name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken),
            V1CronJob => await client.BatchV1.PatchNamespacedCronJobAsync(patch, name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken),
            V1PersistentVolumeClaim => await client.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(patch, name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken),
            ServiceMonitor monitor => await ApplyCustomAsync(client, monitor, patch, cancellationToken),
            PrometheusRule rule => await ApplyCustomAsync(client, rule, patch, cancellationToken),
            CnpgCluster cluster => await ApplyCustomAsync(client, cluster, patch, cancellationToken),
            CnpgScheduledBackup backup => await ApplyCustomAsync(client, backup, patch, cancellationToken),
            RabbitmqCluster broker => await ApplyCustomAsync(client, broker, patch, cancellationToken),
            _ => throw new NotSupportedException($"The operator does not apply {desired.Kind} objects."),
        };
    }

    /// <summary>
    /// A custom resource of another project (a CloudNativePG Cluster, a RabbitmqCluster, a ServiceMonitor), read
    /// back as its own type, status included. A 404 means the API server does not serve the kind:
    /// its CRD is not installed.
    /// </summary>
    private static async Task<T> ApplyCustomAsync<T>(IKubernetes client, T desired, V1Patch patch, CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()!;
        var applied = await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, entity.Group, entity.ApiVersion, desired.Metadata.NamespaceProperty, entity.PluralName,
            desired.Metadata.Name, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
        return CustomObject.As<T>(applied);
    }
}
