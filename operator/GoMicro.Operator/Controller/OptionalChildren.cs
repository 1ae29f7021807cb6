using System.Net;
using GoMicro.Operator.Resources;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GoMicro.Operator.Controller;

/// <summary>
/// The children a shop has only while its spec asks for them (autoscalers, disruption
/// budgets, backup CronJobs): after every apply, those of the shop that the spec no longer
/// asks for are deleted. Each is deleted by a collection delete on its own labels (the
/// operator has no right to delete single objects), and only when the shop controls it. The
/// backup volumes are not among them: they hold the dumps, and stay until the shop goes
/// (dataRetention decides) or someone deletes them.
/// </summary>
internal static class OptionalChildren
{
    private sealed record Kind(
        string Name,
        Func<IKubernetes, string, string, CancellationToken, Task<IEnumerable<V1ObjectMeta>>> List,
        Func<IKubernetes, string, string, CancellationToken, Task> DeleteCollection);

    private static readonly Kind[] Kinds =
    [
        new("HorizontalPodAutoscaler",
            async (client, ns, selector, ct) => (await client.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(ns, labelSelector: selector, cancellationToken: ct)).Items.Select(i => i.Metadata),
            (client, ns, selector, ct) => client.AutoscalingV2.DeleteCollectionNamespacedHorizontalPodAutoscalerAsync(ns, labelSelector: selector, cancellationToken: ct)),
        new("PodDisruptionBudget",
            async (client, ns, selector, ct) => (await client.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(ns, labelSelector: selector, cancellationToken: ct)).Items.Select(i => i.Metadata),
            (client, ns, selector, ct) => client.PolicyV1.DeleteCollectionNamespacedPodDisruptionBudgetAsync(ns, labelSelector: selector, cancellationToken: ct)),
        new("CronJob",
            async (client, ns, selector, ct) => (await client.BatchV1.ListNamespacedCronJobAsync(ns, labelSelector: selector, cancellationToken: ct)).Items.Select(i => i.Metadata),
            // Background: the garbage collector removes the Jobs and pods the CronJob made.
            (client, ns, selector, ct) => client.BatchV1.DeleteCollectionNamespacedCronJobAsync(ns, labelSelector: selector, propagationPolicy: "Background", cancellationToken: ct)),
    ];

    /// <returns>What could not be deleted, for the shop's Degraded condition.</returns>
    public static async Task<List<string>> PruneAsync(IKubernetes client, ShopNames names, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> desired, CancellationToken cancellationToken)
    {
        List<string> failed = [];
        foreach (var kind in Kinds)
        {
            var wanted = desired.Where(d => d.Kind == kind.Name).Select(d => d.Metadata.Name).ToHashSet(StringComparer.Ordinal);
            try
            {
                foreach (var stale in (await kind.List(client, names.Namespace, names.AllSelector, cancellationToken))
                    .Where(m => !wanted.Contains(m.Name) && m.OwnerReferences?.Any(o => o.Controller == true && o.Uid == names.Shop.Metadata.Uid) == true))
                {
                    // Its own labels, which no other child of this kind carries.
                    var labels = stale.Labels;
                    var selector = $"{names.AllSelector},app.kubernetes.io/name={labels["app.kubernetes.io/name"]},app.kubernetes.io/component={labels["app.kubernetes.io/component"]}";
                    await kind.DeleteCollection(client, names.Namespace, selector, cancellationToken);
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest)
            {
                failed.Add($"{kind.Name}s no longer wanted could not be removed ({(int)e.Response.StatusCode}): {e.Response.Content}");
            }
        }
        return failed;
    }
}
