using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Resources;

/// <summary>
/// A child whose kind another project's CRD defines: the API server answers 404 for it while
/// that CRD is not installed, and the shop then says what to install instead of failing blindly.
/// </summary>
internal interface IForeignKind
{
    /// <summary>The CRD's name, plural.group.</summary>
    string Crd { get; }

    /// <summary>What the user should do when it is missing.</summary>
    string Remedy { get; }
}

/// <summary>The Prometheus Operator's kinds the shop uses (monitoring.coreos.com/v1), with the fields the operator sets.</summary>
internal static class PrometheusOperator
{
    public const string Group = "monitoring.coreos.com";
    public const string Version = "v1";
    public const string ServiceMonitors = "servicemonitors";
    public const string PrometheusRules = "prometheusrules";

    public const string Remedy = "spec.monitoring.enabled needs the Prometheus Operator's CRDs: install the Prometheus Operator "
        + "(for example the kube-prometheus-stack Helm chart, or prometheus-operator-crds for the CRDs alone), or set spec.monitoring.enabled to false";
}

[KubernetesEntity(Group = PrometheusOperator.Group, ApiVersion = PrometheusOperator.Version, Kind = KindName, PluralName = PrometheusOperator.ServiceMonitors)]
internal sealed class ServiceMonitor : ForeignResource<ServiceMonitorSpec, UnreadStatus>, IForeignKind
{
    public const string KindName = "ServiceMonitor";

    [JsonIgnore, YamlDotNet.Serialization.YamlIgnore]
    public string Crd => $"{PrometheusOperator.ServiceMonitors}.{PrometheusOperator.Group}";

    [JsonIgnore, YamlDotNet.Serialization.YamlIgnore]
    public string Remedy => PrometheusOperator.Remedy;
}

internal sealed class ServiceMonitorSpec
{
    [JsonPropertyName("selector")]
    public V1LabelSelector Selector { get; set; } = new();

    [JsonPropertyName("namespaceSelector")]
    public NamespaceSelector NamespaceSelector { get; set; } = new();

    [JsonPropertyName("endpoints")]
    public List<MonitorEndpoint> Endpoints { get; set; } = [];
}

internal sealed class NamespaceSelector
{
    [JsonPropertyName("matchNames")]
    public List<string> MatchNames { get; set; } = [];
}

internal sealed class MonitorEndpoint
{
    [JsonPropertyName("port")]
    public string Port { get; set; } = "";

    [JsonPropertyName("path")]
    public string Path { get; set; } = "/metrics";

    [JsonPropertyName("interval")]
    public string? Interval { get; set; }

    [JsonPropertyName("relabelings")]
    public List<RelabelConfig>? Relabelings { get; set; }
}

internal sealed class RelabelConfig
{
    [JsonPropertyName("sourceLabels")]
    public List<string>? SourceLabels { get; set; }

    [JsonPropertyName("targetLabel")]
    public string? TargetLabel { get; set; }

    [JsonPropertyName("action")]
    public string? Action { get; set; }
}

[KubernetesEntity(Group = PrometheusOperator.Group, ApiVersion = PrometheusOperator.Version, Kind = KindName, PluralName = PrometheusOperator.PrometheusRules)]
internal sealed class PrometheusRule : ForeignResource<RuleFile, UnreadStatus>, IForeignKind
{
    public const string KindName = "PrometheusRule";

    [JsonIgnore, YamlDotNet.Serialization.YamlIgnore]
    public string Crd => $"{PrometheusOperator.PrometheusRules}.{PrometheusOperator.Group}";

    [JsonIgnore, YamlDotNet.Serialization.YamlIgnore]
    public string Remedy => PrometheusOperator.Remedy;
}

/// <summary>A Prometheus rule file, which is also a PrometheusRule's spec.</summary>
internal sealed class RuleFile
{
    [JsonPropertyName("groups")]
    public List<RuleGroup> Groups { get; set; } = [];
}

internal sealed class RuleGroup
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("interval")]
    public string? Interval { get; set; }

    [JsonPropertyName("rules")]
    public List<Rule> Rules { get; set; } = [];
}

internal sealed class Rule
{
    [JsonPropertyName("alert")]
    public string? Alert { get; set; }

    [JsonPropertyName("record")]
    public string? Record { get; set; }

    [JsonPropertyName("expr")]
    public string Expr { get; set; } = "";

    [JsonPropertyName("for")]
    public string? For { get; set; }

    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }
}
