using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace GoMicro.Operator.Crd;

/// <summary>
/// spec.monitoring: what a Prometheus Operator user gets by setting one field. The operator
/// then owns a ServiceMonitor for the four services and the gateway, a PrometheusRule with
/// the shop's alerts (monitoring/gomicro-rules.yaml) and a Grafana dashboard ConfigMap
/// (monitoring/gomicro-dashboard.json).
/// </summary>
public sealed class MonitoringSpec
{
    [JsonPropertyName("enabled")]
    [Description("Create a ServiceMonitor (the four services and the gateway), a PrometheusRule (the shop's alerts) and a Grafana dashboard ConfigMap (label grafana_dashboard: \"1\"). Needs the Prometheus Operator's CRDs (monitoring.coreos.com); without them the shop is Degraded and says so. Turning it off removes the three.")]
    public bool Enabled { get; set; }

    [JsonPropertyName("interval")]
    [Description("How often Prometheus scrapes each target, e.g. 30s.")]
    [RegularExpression(PrometheusDuration.Pattern), MaxLength(32)]
    public string Interval { get; set; } = "30s";

    [JsonPropertyName("labels")]
    [Description("Labels added to the ServiceMonitor, the PrometheusRule and the dashboard ConfigMap, so that a Prometheus's serviceMonitorSelector and ruleSelector pick them up (kube-prometheus-stack selects release: <its release name> by default).")]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("alertLabels")]
    [Description("Labels added to every alert of the shop, for Alertmanager's routing (e.g. team: shop). Every alert already carries shop and severity (critical or warning).")]
    public Dictionary<string, string>? AlertLabels { get; set; }
}

internal static class PrometheusDuration
{
    /// <summary>The Prometheus Operator's Duration type (monitoringv1.Duration).</summary>
    public const string Pattern = "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$";
}
