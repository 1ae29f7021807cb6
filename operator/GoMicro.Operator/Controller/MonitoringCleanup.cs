using GoMicro.Operator.Resources;
using k8s;

namespace GoMicro.Operator.Controller;

/// <summary>
/// With spec.monitoring.enabled off, what it made goes: the ServiceMonitor, the PrometheusRule
/// and the dashboard ConfigMap, selected by the operator's own labels (deletecollection with a
/// label selector, so nothing the operator did not make can match). Owner references remove
/// them only with the shop. Without the Prometheus Operator's CRDs there is nothing to remove.
/// </summary>
internal static class MonitoringCleanup
{
    public static async Task RemoveMonitoringAsync(this IKubernetes client, ShopNames names, CancellationToken cancellationToken)
    {
        var selector = Monitoring.Selector(names);
        await client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(names.Namespace, labelSelector: selector, cancellationToken: cancellationToken);
        foreach (var plural in new[] { PrometheusOperator.ServiceMonitors, PrometheusOperator.PrometheusRules })
        {
            await client.DeleteCollectionIfServedAsync(PrometheusOperator.Group, PrometheusOperator.Version, names.Namespace, plural, selector, cancellationToken);
        }
    }
}
