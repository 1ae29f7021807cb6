using System.Net;
using k8s;
using k8s.Autorest;

namespace GoMicro.Operator.Controller;

internal static class CustomCollections
{
    /// <summary>
    /// Deletes the objects of a kind another project's CRD defines that match a label selector.
    /// A 404 means the kind is not served (its CRD is not installed): none of them can exist.
    /// </summary>
    public static async Task DeleteCollectionIfServedAsync(this IKubernetes client, string group, string version, string ns, string plural, string labelSelector, CancellationToken cancellationToken)
    {
        try
        {
            await client.CustomObjects.DeleteCollectionNamespacedCustomObjectAsync(group, version, ns, plural, labelSelector: labelSelector, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }
}
