using GoMicro.Operator.Crd;
using GoMicro.Operator.Resources;
using k8s.Models;

namespace GoMicro.Operator.Tests;

/// <summary>
/// The gateway's Services: the API on the Service whose type the shop chooses, KrakenD's
/// Prometheus exporter (:9091) only on a ClusterIP Service of its own, so a NodePort or
/// LoadBalancer gateway never publishes its metrics.
/// </summary>
public sealed class GatewayServiceTests
{
    public static TheoryData<GatewayServiceType> Types => [GatewayServiceType.ClusterIP, GatewayServiceType.NodePort, GatewayServiceType.LoadBalancer];

    private static IReadOnlyList<k8s.IKubernetesObject<V1ObjectMeta>> Children(GatewayServiceType type) =>
        ShopResources.Build(new ShopNames(TestShops.New("acme", configure: s => s.Gateway.ServiceType = type)));

    private static V1Service Service(GatewayServiceType type, string name) =>
        Children(type).OfType<V1Service>().Single(s => s.Metadata.Name == name);

    [Theory]
    [MemberData(nameof(Types))]
    public void The_API_Service_carries_the_API_port_and_nothing_else(GatewayServiceType type)
    {
        var api = Service(type, "acme-gateway");

        Assert.Equal(type.ToString(), api.Spec.Type);
        var port = Assert.Single(api.Spec.Ports);
        Assert.Equal(("http", 8085, "http"), (port.Name, port.Port, port.TargetPort.Value));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Metrics_have_a_ClusterIP_Service_of_their_own_whatever_the_API_Service_type(GatewayServiceType type)
    {
        var children = Children(type);
        var metrics = children.OfType<V1Service>().Single(s => s.Metadata.Name == "acme-gateway-metrics");
        var gateway = children.OfType<V1Deployment>().Single(d => d.Metadata.Name == "acme-gateway");

        Assert.Equal("ClusterIP", metrics.Spec.Type);
        Assert.Null(metrics.Spec.ExternalTrafficPolicy);
        var port = Assert.Single(metrics.Spec.Ports);
        Assert.Equal(("metrics", 9091, "metrics"), (port.Name, port.Port, port.TargetPort.Value));
        // It selects the gateway's pods, which name that port.
        Assert.Equal(gateway.Spec.Selector.MatchLabels, metrics.Spec.Selector);
        Assert.All(metrics.Spec.Selector, l => Assert.Equal(l.Value, gateway.Spec.Template.Metadata.Labels[l.Key]));
        Assert.Contains(gateway.Spec.Template.Spec.Containers.Single().Ports, p => p.Name == "metrics" && p.ContainerPort == 9091);
        // A ServiceMonitor can tell it from the API Service by its component label.
        Assert.Equal("metrics", metrics.Metadata.Labels["app.kubernetes.io/component"]);
        Assert.Equal("gateway", Service(type, "acme-gateway").Metadata.Labels["app.kubernetes.io/component"]);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void No_Service_but_the_ClusterIP_metrics_one_reaches_port_9091(GatewayServiceType type)
    {
        var exposing = Children(type).OfType<V1Service>()
            .Where(s => s.Spec.Ports.Any(p => p.Port == Gateway.MetricsPort || p.TargetPort.Value is "metrics" or "9091"))
            .ToList();

        var only = Assert.Single(exposing);
        Assert.Equal(("acme-gateway-metrics", "ClusterIP"), (only.Metadata.Name, only.Spec.Type));
    }

    [Fact]
    public void Prometheus_annotations_on_the_gateway_pods_still_point_at_the_exporter()
    {
        var pod = Children(GatewayServiceType.LoadBalancer).OfType<V1Deployment>().Single(d => d.Metadata.Name == "acme-gateway").Spec.Template.Metadata;

        Assert.Equal("true", pod.Annotations["prometheus.io/scrape"]);
        Assert.Equal("9091", pod.Annotations["prometheus.io/port"]);
        Assert.Equal("/metrics", pod.Annotations["prometheus.io/path"]);
    }

    [Theory]
    [InlineData(GatewayServiceType.ClusterIP, null)]
    [InlineData(GatewayServiceType.NodePort, "Local")]
    [InlineData(GatewayServiceType.LoadBalancer, "Local")]
    public void A_public_gateway_Service_keeps_the_clients_address_for_the_per_client_limits(GatewayServiceType type, string? policy)
    {
        // With the default policy (Cluster) kube-proxy masquerades external traffic, so KrakenD
        // sees a node's address as the peer and every client behind that node shares one
        // per-client bucket. Local keeps the client's address (and sends traffic only to
        // nodes that run a gateway pod; a LoadBalancer health-checks nodes for that).
        Assert.Equal(policy, Service(type, "acme-gateway").Spec.ExternalTrafficPolicy);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Both_Services_are_valid_for_Kubernetes_1_32(GatewayServiceType type)
    {
        foreach (var service in Children(type).OfType<V1Service>().Where(s => s.Metadata.Name.StartsWith("acme-gateway", StringComparison.Ordinal)))
        {
            var errors = KubernetesSchemas.Validate(service);
            Assert.True(errors.Count == 0, $"{service.Metadata.Name}:\n{string.Join("\n", errors.Take(10))}");
        }
    }
}
