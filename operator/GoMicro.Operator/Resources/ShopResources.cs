using k8s;
using k8s.Models;

namespace GoMicro.Operator.Resources;

/// <summary>Everything a shop should own, computed from its spec alone (the operator then applies it).</summary>
internal static class ShopResources
{
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(ShopNames names)
    {
        List<IKubernetesObject<V1ObjectMeta>> children = [.. DataStores.Build(names), .. Providers.StoreProviders.Build(names), .. Microservices.Build(names),
            .. Gateway.Build(names), .. NetworkPolicies.Build(names), .. Availability.Build(names), .. PostgresBackups.Build(names)];
        return [.. children, .. Monitoring.Build(names, children)];
    }
}
