using System.Text.Json;
using GoMicro.Operator.Resources;
using GoMicro.Testing;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Tests.Monitoring;

/// <summary>What spec.monitoring adds to a shop's children, checked against the offline schemas.</summary>
public sealed class MonitoringResourcesTests
{
    private const string ServiceMonitorSchema = "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/monitoring.coreos.com/servicemonitor_v1.json";
    private const string PrometheusRuleSchema = "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/monitoring.coreos.com/prometheusrule_v1.json";

    /// <summary>A Prometheus Operator kind against its CRD's schema, anything else against the strict Kubernetes 1.32 schemas.</summary>
    public static IReadOnlyList<string> Validate(IKubernetesObject obj)
    {
        var element = JsonDocument.Parse(KubernetesJson.Serialize(obj)).RootElement;
        return obj switch
        {
            ServiceMonitor => OfflineSchemas.Validate(OfflineSchemas.Get(ServiceMonitorSchema), element),
            PrometheusRule => OfflineSchemas.Validate(OfflineSchemas.Get(PrometheusRuleSchema), element),
            _ => KubernetesSchemas.Validate(element),
        };
    }

    private static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Children(string shop = "acme", string ns = "shop", Action<Crd.MonitoringSpec>? configure = null) =>
        ShopResources.Build(new ShopNames(TestShops.New(shop, ns, s => { s.Monitoring.Enabled = true; configure?.Invoke(s.Monitoring); })));

    [Fact]
    public void Monitoring_is_off_by_default_and_then_adds_nothing()
    {
        var children = ShopResources.Build(new ShopNames(TestShops.New("acme", "shop")));
        Assert.DoesNotContain(children, c => c is ServiceMonitor or PrometheusRule || c.Metadata.Labels.ContainsKey(Resources.Monitoring.DashboardLabel));
    }

    [Fact]
    public void With_monitoring_on_every_child_is_valid_against_its_schema_the_ServiceMonitor_and_PrometheusRule_against_their_CRDs()
    {
        var children = Children(configure: m => { m.Labels = new() { ["release"] = "kube-prometheus-stack" }; m.AlertLabels = new() { ["team"] = "shop" }; m.Interval = "15s"; });
        var monitoring = children.Where(c => c.Metadata.Labels["app.kubernetes.io/component"] == "monitoring").ToList();
        Assert.Equal(["ConfigMap", "PrometheusRule", "ServiceMonitor"], monitoring.Select(c => c.Kind).Order());
        foreach (var child in children)
        {
            var errors = Validate(child);
            Assert.True(errors.Count == 0, $"{child.Kind} {child.Metadata.Name}:\n{string.Join("\n", errors.Take(10))}");
        }
        Assert.All(monitoring, c =>
        {
            Assert.Equal("kube-prometheus-stack", c.Metadata.Labels["release"]); // for the Prometheus's selectors
            Assert.Equal("acme", Assert.Single(c.Metadata.OwnerReferences).Name);
        });
        var rule = monitoring.OfType<PrometheusRule>().Single();
        Assert.All(rule.Spec.Groups.SelectMany(g => g.Rules), r => Assert.Equal(("shop", "acme"), (r.Labels!["team"], r.Labels["shop"])));
        Assert.All(monitoring.OfType<ServiceMonitor>().Single().Spec.Endpoints, e => Assert.Equal("15s", e.Interval));
    }

    [Fact]
    public void The_ServiceMonitor_scrapes_the_four_services_and_the_gateway_exporter_and_never_the_gateway_API()
    {
        var children = Children();
        var monitor = children.OfType<ServiceMonitor>().Single();
        var selector = monitor.Spec.Selector;
        bool Selects(V1Service s) =>
            selector.MatchLabels.All(l => s.Metadata.Labels.TryGetValue(l.Key, out var v) && v == l.Value)
            && selector.MatchExpressions.All(e => s.Metadata.Labels.TryGetValue(e.Key, out var v) && e.Values.Contains(v));
        var ports = monitor.Spec.Endpoints.Select(e => e.Port).ToHashSet();

        var scraped = children.OfType<V1Service>().Where(Selects)
            .Select(s => (s.Metadata.Name, Port: s.Spec.Ports.Single(p => ports.Contains(p.Name))))
            .ToList();

        Assert.Equal(["acme-basket", "acme-gateway-metrics", "acme-payments", "acme-products", "acme-users"], scraped.Select(s => s.Name).Order());
        Assert.Equal(9091, scraped.Single(s => s.Name == "acme-gateway-metrics").Port.Port);
        Assert.All(scraped.Where(s => s.Name != "acme-gateway-metrics"), s => Assert.Equal(8080, s.Port.Port));
        Assert.Equal(["shop"], monitor.Spec.NamespaceSelector.MatchNames);
        Assert.All(monitor.Spec.Endpoints, e =>
        {
            Assert.Equal("/metrics", e.Path);
            var relabel = Assert.Single(e.Relabelings!);
            Assert.Equal(["__meta_kubernetes_service_label_app_kubernetes_io_instance"], relabel.SourceLabels!);
            Assert.Equal("shop", relabel.TargetLabel);
        });
    }

    [Fact]
    public void The_alerts_are_narrowed_to_the_shops_series_and_to_its_pods_for_kube_state_metrics()
    {
        var rule = Children().OfType<PrometheusRule>().Single();
        var exprs = rule.Spec.Groups.SelectMany(g => g.Rules).ToDictionary(r => r.Alert!, r => r.Expr);

        Assert.Contains("gomicro_outbox_lag_seconds{namespace=\"shop\", shop=\"acme\"}", exprs["GoMicroOutboxLagHigh"], StringComparison.Ordinal);
        Assert.Contains("up{namespace=\"shop\", shop=\"acme\", shop!=\"\"}", exprs["GoMicroTargetDown"], StringComparison.Ordinal);
        var restarts = exprs["GoMicroPodRestarting"];
        Assert.Contains("kube_pod_container_status_restarts_total{namespace=\"shop\", pod=~\"(acme-basket|acme-gateway|acme-payments|acme-products|acme-users)-[a-z0-9]+-[a-z0-9]+|(acme-payments-db|acme-products-db|acme-rabbitmq|acme-redis|acme-users-db)-[0-9]+\", container=~", restarts, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_prints_the_monitoring_objects_of_a_shop_that_asks_for_them()
    {
        var file = Path.Combine(Path.GetTempPath(), $"gomicro-monitored-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "apiVersion: gomicro.io/v1alpha1\nkind: GoMicroShop\nmetadata: { name: acme, namespace: shop }\nspec: { version: 1.0.0, monitoring: { enabled: true } }\n");
        try
        {
            using var output = new StringWriter();
            using var errors = new StringWriter();
            Assert.Equal(0, Rendering.ShopRenderer.Run(["-f", file], TextReader.Null, output, errors));
            var kinds = YamlJson.Documents(output.ToString()).Select(d => d!["kind"]!.GetValue<string>()).ToList();
            Assert.Contains("ServiceMonitor", kinds);
            Assert.Contains("PrometheusRule", kinds);
            var rule = YamlJson.Documents(output.ToString()).Single(d => d!["kind"]!.GetValue<string>() == "PrometheusRule")!;
            Assert.Empty(OfflineSchemas.Validate(OfflineSchemas.Get(PrometheusRuleSchema), JsonSerializer.SerializeToElement(rule)));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
