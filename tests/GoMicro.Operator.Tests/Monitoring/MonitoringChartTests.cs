using GoMicro.Operator.Tests.Charts;

namespace GoMicro.Operator.Tests.Monitoring;

/// <summary>spec.monitoring through the charts, with the real helm.</summary>
public sealed class MonitoringChartTests
{
    private const string Values = """{ "spec": { "version": "1.0.0", "monitoring": { "enabled": true, "interval": "15s", "labels": { "release": "kube-prometheus-stack" }, "alertLabels": { "team": "shop" } } } }""";

    [Fact]
    public void The_shop_chart_takes_monitoring_values_and_renders_a_shop_the_CRD_accepts()
    {
        Assert.Contains("0 chart(s) failed", Helm.Lint(ChartTests.ShopChart, Helm.Values(Values)), StringComparison.Ordinal);
        var shop = Helm.Template(ChartTests.ShopChart, "shop", "gomicro", Helm.Values(Values)).Single(o => RenderedObjects.Kind(o) == "GoMicroShop");
        RenderedObjects.AssertValid([shop]);
        Assert.True(shop["spec"]!["monitoring"]!["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public void The_shop_chart_refuses_a_misspelt_monitoring_field_and_a_bad_interval()
    {
        var misspelt = Assert.ThrowsAny<Exception>(() => Helm.Lint(ChartTests.ShopChart, Helm.Values("""{ "spec": { "version": "1.0.0", "monitoring": { "enable": true } } }""")));
        Assert.Contains("enable", misspelt.Message, StringComparison.Ordinal);
        var interval = Assert.ThrowsAny<Exception>(() => Helm.Lint(ChartTests.ShopChart, Helm.Values("""{ "spec": { "version": "1.0.0", "monitoring": { "interval": "soon" } } }""")));
        Assert.Contains("interval", interval.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_operator_charts_ServiceMonitor_keeps_the_per_shop_metrics_namespace_label()
    {
        var monitor = Helm.Template(ChartTests.OperatorChart, ChartRbac.Release, ChartRbac.ReleaseNamespace, Helm.Values("""{ "serviceMonitor": { "enabled": true } }"""))
            .Single(o => RenderedObjects.Kind(o) == "ServiceMonitor");
        Assert.True(monitor["spec"]!["endpoints"]![0]!["honorLabels"]!.GetValue<bool>());
    }
}
