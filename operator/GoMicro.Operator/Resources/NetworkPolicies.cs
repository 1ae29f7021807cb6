using GoMicro.Operator.Resources.Providers;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Resources;

/// <summary>
/// Who may talk to whom inside a shop: each database, Redis and RabbitMQ accept connections
/// only from the services that use them (on their data port, wherever an operator runs them,
/// and not at all when they are external); a service's gRPC port accepts only the services that
/// call it (its HTTP port serves the gateway, the JWKS and Prometheus, wherever they run); and
/// the gateway may reach only the services' HTTP port (and DNS). Enforced where the cluster's network plugin enforces NetworkPolicies
/// (Calico, Cilium, …); elsewhere they are inert. Probes come from the node, which a
/// NetworkPolicy does not restrict.
/// </summary>
internal static class NetworkPolicies
{
    /// <summary>Each store's part, port and the services that use it: the one table this file is built from.</summary>
    public static IReadOnlyList<(string Part, int Port, string[] Clients)> StoreClients { get; } =
    [
        // Each database's own service, and its backup job (when postgres.backup is on).
        .. Microservices.WithDatabase.Select(service => (ShopSecrets.Database(service), DataStores.PostgresPort, new[] { service, PostgresBackups.Part(service) })),
        (ShopSecrets.Redis, DataStores.RedisPort, [Microservices.Basket]),
        (ShopSecrets.RabbitMq, DataStores.AmqpPort, [Microservices.Products, Microservices.Basket, Microservices.Payments]),
    ];

    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Build(ShopNames names)
    {
        foreach (var (part, port, clients) in StoreClients)
        {
            // A store nobody in the cluster runs (external) gets no policy.
            if (StoreProviders.StorePods(names, part) is not var (pods, operatorRun))
            {
                continue;
            }
            // Backup jobs run only beside databases the shop runs itself (CloudNativePG backs up its own).
            var peers = clients.Where(client => !operatorRun || !Microservices.WithDatabase.Any(service => PostgresBackups.Part(service) == client)).Select(client => new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = names.Selector(client) } });
            yield return new V1NetworkPolicy
            {
                ApiVersion = "networking.k8s.io/v1",
                Kind = "NetworkPolicy",
                Metadata = names.Metadata(part, "network-policy"),
                Spec = new V1NetworkPolicySpec
                {
                    PodSelector = new V1LabelSelector { MatchLabels = pods },
                    PolicyTypes = ["Ingress"],
                    Ingress = operatorRun
                        ? [
                            // The data port: the services that use the store, and the store's own
                            // members (PostgreSQL streaming replication, CloudNativePG's join jobs).
                            new V1NetworkPolicyIngressRule
                            {
                                FromProperty = [.. peers, new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = pods } }],
                                Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = port }],
                            },
                            // Every other port stays as the store's operator needs it: its status
                            // and metrics endpoints, RabbitMQ's clustering and management ports.
                            new V1NetworkPolicyIngressRule
                            {
                                Ports =
                                [
                                    new V1NetworkPolicyPort { Protocol = "TCP", Port = 1, EndPort = port - 1 },
                                    new V1NetworkPolicyPort { Protocol = "TCP", Port = port + 1, EndPort = 65535 },
                                ],
                            },
                        ]
                        : [
                            new V1NetworkPolicyIngressRule
                            {
                                FromProperty = [.. peers],
                                Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = port }],
                            },
                        ],
                },
            };
        }

        foreach (var service in Microservices.All)
        {
            yield return new V1NetworkPolicy
            {
                ApiVersion = "networking.k8s.io/v1",
                Kind = "NetworkPolicy",
                Metadata = names.Metadata(service, "network-policy"),
                Spec = new V1NetworkPolicySpec
                {
                    PodSelector = new V1LabelSelector { MatchLabels = names.Selector(service) },
                    PolicyTypes = ["Ingress"],
                    Ingress = [.. ServiceIngress(names, service)],
                },
            };
        }

        yield return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = names.Metadata(Gateway.Part, "network-policy"),
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector { MatchLabels = names.Selector(Gateway.Part) },
                PolicyTypes = ["Egress"],
                Egress =
                [
                    new V1NetworkPolicyEgressRule
                    {
                        To = [.. Microservices.All.Select(service => new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = names.Selector(service) } })],
                        Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = Microservices.HttpPort }],
                    },
                    // Name resolution, wherever the cluster's DNS runs.
                    new V1NetworkPolicyEgressRule
                    {
                        Ports = [new V1NetworkPolicyPort { Protocol = "UDP", Port = 53 }, new V1NetworkPolicyPort { Protocol = "TCP", Port = 53 }],
                    },
                ],
            },
        };
    }

    private static IEnumerable<V1NetworkPolicyIngressRule> ServiceIngress(ShopNames names, string service)
    {
        yield return new V1NetworkPolicyIngressRule { Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = Microservices.HttpPort }] };
        var callers = Microservices.GrpcCallersOf(service);
        // A rule without peers admits everyone, so a service nobody calls gets no gRPC rule at all: closed.
        if (callers.Length > 0)
        {
            yield return new V1NetworkPolicyIngressRule
            {
                FromProperty = [.. callers.Select(caller => new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = names.Selector(caller) } })],
                Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = Microservices.GrpcPort }],
            };
        }
    }
}
