using System.Net;
using System.Text.Json;
using GoMicro.Operator.Crd;
using GoMicro.Testing;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Tests.Monitoring;

/// <summary>spec.monitoring through the operator and the fake API server (with the chart's RBAC enforced).</summary>
[Collection(OperatorCollection.Name)]
public sealed class MonitoringReconcileTests(OperatorFixture cluster) : IClassFixture<OperatorFixture>, IAsyncLifetime
{
    private const string Group = "monitoring.coreos.com";

    private ServiceHost<Program>? _operator;

    public ValueTask InitializeAsync()
    {
        _operator = cluster.StartOperator("operator-monitoring");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private IKubernetes Kubectl => cluster.Kubectl;

    private async Task<List<string>> NamesAsync(string ns, string plural)
    {
        var list = JsonSerializer.SerializeToElement(await Kubectl.CustomObjects.ListNamespacedCustomObjectAsync(Group, "v1", ns, plural));
        return [.. list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()!)];
    }

    private async Task<List<string>> DashboardsAsync(string ns) =>
        [.. (await Kubectl.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "grafana_dashboard=1")).Items.Select(c => c.Metadata.Name)];

    private static V1Condition? Condition(GoMicroShop? shop, string type) => shop?.Status?.Conditions.FirstOrDefault(c => c.Type == type);

    [Fact]
    public async Task Monitoring_on_creates_the_ServiceMonitor_the_PrometheusRule_and_the_dashboard_and_off_removes_them()
    {
        const string ns = "monitored";
        await cluster.CreateShopAsync(TestShops.New("shop", ns, s => { s.Monitoring.Enabled = true; s.Monitoring.Labels = new() { ["release"] = "prom" }; }));

        await cluster.UntilAsync(async () => (await NamesAsync(ns, "servicemonitors")).Count == 1
            && (await NamesAsync(ns, "prometheusrules")).Count == 1
            && (await DashboardsAsync(ns)).Count == 1, "monitoring objects created");
        var rule = JsonSerializer.SerializeToElement(await Kubectl.CustomObjects.GetNamespacedCustomObjectAsync(Group, "v1", ns, "prometheusrules", "shop-monitoring"));
        Assert.Equal("prom", rule.GetProperty("metadata").GetProperty("labels").GetProperty("release").GetString());
        Assert.Equal("GoMicroShop", rule.GetProperty("metadata").GetProperty("ownerReferences")[0].GetProperty("kind").GetString());
        Assert.Equal(10, rule.GetProperty("spec").GetProperty("groups").EnumerateArray().Sum(g => g.GetProperty("rules").GetArrayLength()));
        await cluster.MarkAllReadyAsync(ns);
        await cluster.UntilAsync(async () => Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Ready)?.Status == "True", "Ready with monitoring on");

        // A dashboard edited by hand comes back (ConfigMaps are watched).
        await Kubectl.CoreV1.DeleteNamespacedConfigMapAsync("shop-grafana-dashboard", ns);
        await cluster.UntilAsync(async () => (await DashboardsAsync(ns)).Count == 1, "dashboard back");

        await Kubectl.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(new { spec = new { monitoring = new { enabled = false } } }, V1Patch.PatchType.MergePatch),
            GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, "shop");

        await cluster.UntilAsync(async () => (await NamesAsync(ns, "servicemonitors")).Count == 0
            && (await NamesAsync(ns, "prometheusrules")).Count == 0
            && (await DashboardsAsync(ns)).Count == 0, "monitoring objects removed");
        Assert.Contains((await Kubectl.CoreV1.ListNamespacedConfigMapAsync(ns)).Items, c => c.Metadata.Name == "shop-gateway"); // only monitoring's went
        lock (cluster.Api.Forbidden)
        {
            Assert.Empty(cluster.Api.Forbidden);
        }
    }

    [Fact]
    public async Task Without_the_Prometheus_Operator_CRDs_the_shop_is_Degraded_says_what_to_install_and_everything_else_rolls_out()
    {
        const string ns = "no-prometheus-operator";
        cluster.Api.Hide("servicemonitors");
        cluster.Api.Hide("prometheusrules");
        try
        {
            await cluster.CreateShopAsync(TestShops.New("shop", ns, s => s.Monitoring.Enabled = true));

            await cluster.UntilAsync(async () => Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Degraded)?.Status == "True", "Degraded");
            var degraded = Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Degraded)!;
            Assert.Contains("servicemonitors.monitoring.coreos.com", degraded.Message, StringComparison.Ordinal);
            Assert.Contains("prometheusrules.monitoring.coreos.com", degraded.Message, StringComparison.Ordinal);
            Assert.Contains("install the Prometheus Operator", degraded.Message, StringComparison.Ordinal);
            Assert.Contains("spec.monitoring.enabled to false", degraded.Message, StringComparison.Ordinal);
            // Every other child is there, the dashboard included, and the operator keeps running.
            await cluster.UntilAsync(async () => (await Kubectl.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Count == 5
                && (await Kubectl.AppsV1.ListNamespacedStatefulSetAsync(ns)).Items.Count == 5
                && (await DashboardsAsync(ns)).Count == 1, "the rest of the shop applied");
            Assert.Contains((await Kubectl.EventsV1.ListNamespacedEventAsync(ns)).Items, e => e.Reason == "ReconcileFailed" && e.Note.Contains("Prometheus Operator", StringComparison.Ordinal));

            // The operator's own metrics say so too, for GoMicroShopReconcileErrors.
            using var http = _operator!.CreateHttpClient();
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Contains($"gomicro_operator_shop_reconcile_errors_total{{namespace=\"{ns}\",shop=\"shop\"}}", metrics, StringComparison.Ordinal);
        }
        finally
        {
            cluster.Api.Unhide("servicemonitors");
            cluster.Api.Unhide("prometheusrules");
        }

        // Once the CRDs are installed, the next retry creates them and the shop recovers.
        await cluster.UntilAsync(async () => (await NamesAsync(ns, "servicemonitors")).Count == 1 && (await NamesAsync(ns, "prometheusrules")).Count == 1, "created once the CRDs exist", seconds: 150);
        await cluster.UntilAsync(async () => Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Degraded)?.Status == "False", "no longer Degraded", seconds: 30);
    }

    [Fact]
    public async Task A_shop_without_monitoring_on_a_cluster_without_the_CRDs_is_not_troubled()
    {
        const string ns = "plain-no-crds";
        cluster.Api.Hide("servicemonitors");
        cluster.Api.Hide("prometheusrules");
        try
        {
            await cluster.CreateShopAsync(TestShops.New("shop", ns));
            await cluster.UntilAsync(async () => (await cluster.GetShopAsync(ns, "shop"))?.Status?.ObservedGeneration == 1, "reconciled");
            await cluster.MarkAllReadyAsync(ns);
            await cluster.UntilAsync(async () => Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Ready)?.Status == "True", "Ready");
            Assert.Equal("False", Condition(await cluster.GetShopAsync(ns, "shop"), ConditionTypes.Degraded)!.Status);
        }
        finally
        {
            cluster.Api.Unhide("servicemonitors");
            cluster.Api.Unhide("prometheusrules");
        }
    }

    [Fact]
    public async Task The_operator_exports_the_metric_its_alert_reads_declared_before_any_failure()
    {
        using var http = _operator!.CreateHttpClient();
        var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var names = PromQl.ExpositionNames(await response.Content.ReadAsStringAsync());
        var rules = YamlJson.Documents(File.ReadAllText(AlertRulesTests.RulesPath)).Single()!;
        var operatorMetrics = AlertRulesTests.Alerts(rules).SelectMany(a => PromQl.MetricNames(a["expr"]!.GetValue<string>())).Where(m => m.StartsWith("gomicro_operator_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(operatorMetrics);
        Assert.All(operatorMetrics, m => Assert.Contains(m, names));
    }
}
