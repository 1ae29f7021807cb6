using GoMicro.Operator.Crd;
using GoMicro.Operator.Resources;
using GoMicro.Operator.Resources.Providers;
using k8s;

namespace GoMicro.Operator.Controller;

/// <summary>
/// Deletes what the shop wrote for other operators once it is no longer wanted: the
/// ScheduledBackups when the spec stops asking for backups, and, for a shop deleted with
/// dataRetention Delete, the Clusters and the RabbitmqCluster (whose operators then delete
/// their volumes and credentials). Always by the shop's labels, one call per kind, so the
/// operator needs no right to read or delete them one by one.
/// </summary>
internal static class ProviderCleanup
{
    public static async Task PruneAsync(IKubernetes client, ShopNames names, CancellationToken cancellationToken)
    {
        var postgres = names.Shop.Spec.Postgres;
        if (postgres.Provider == PostgresProvider.CloudNativePG && postgres.CloudNativePG?.Backup is null)
        {
            await DeleteCollectionAsync(client, names, CnpgCluster.Group, CnpgCluster.Version, CnpgScheduledBackup.Plural, cancellationToken);
        }
    }

    public static async Task DeleteDataAsync(IKubernetes client, ShopNames names, CancellationToken cancellationToken)
    {
        var spec = names.Shop.Spec;
        if (spec.Postgres.Provider == PostgresProvider.CloudNativePG)
        {
            await DeleteCollectionAsync(client, names, CnpgCluster.Group, CnpgCluster.Version, CnpgScheduledBackup.Plural, cancellationToken);
            await DeleteCollectionAsync(client, names, CnpgCluster.Group, CnpgCluster.Version, CnpgCluster.Plural, cancellationToken);
        }
        if (spec.RabbitMq.Provider == RabbitMqProvider.ClusterOperator)
        {
            await DeleteCollectionAsync(client, names, RabbitmqCluster.Group, RabbitmqCluster.Version, RabbitmqCluster.Plural, cancellationToken);
        }
    }

    private static Task DeleteCollectionAsync(IKubernetes client, ShopNames names, string group, string version, string plural, CancellationToken cancellationToken) =>
        client.DeleteCollectionIfServedAsync(group, version, names.Namespace, plural, names.AllSelector, cancellationToken);
}
