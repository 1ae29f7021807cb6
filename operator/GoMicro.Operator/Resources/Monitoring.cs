using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace GoMicro.Operator.Resources;

/// <summary>
/// spec.monitoring: a ServiceMonitor for the four services and the gateway, the shop's alerts
/// as a PrometheusRule, and the Grafana dashboard as a ConfigMap for Grafana's sidecar.
/// The alerts and the dashboard have one source each, monitoring/gomicro-rules.yaml and
/// monitoring/gomicro-dashboard.json, embedded at build time and narrowed here to one shop.
///
/// A ServiceMonitor rather than a PodMonitor: every target already has a Service (the
/// services' on port "http", the gateway's exporter on its own ClusterIP Service, port
/// "metrics", made for this), which gives each series a stable `service` label, and a Service
/// is what the Prometheus Operator's users and default selectors expect to be monitored.
/// </summary>
internal static partial class Monitoring
{
    public const string Part = "monitoring";
    public const string DashboardPart = "grafana-dashboard";
    public const string Component = "monitoring";

    /// <summary>The label Grafana's dashboard sidecar looks for (kube-prometheus-stack's default).</summary>
    public const string DashboardLabel = "grafana_dashboard";

    /// <summary>The target label that names the shop on every scraped series (from app.kubernetes.io/instance).</summary>
    public const string ShopLabel = "shop";

    public const string RulesResource = "gomicro-rules.yaml";
    public const string DashboardResource = "gomicro-dashboard.json";

    private static readonly Lazy<string> RulesText = new(() => Embedded(RulesResource));
    private static readonly Lazy<string> DashboardText = new(() => Embedded(DashboardResource));

    /// <summary>monitoring/gomicro-rules.yaml as it is in the repository.</summary>
    public static RuleFile Rules() => new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build()
        .Deserialize<RuleFile>(RulesText.Value);

    /// <summary>Selects what the operator made for this shop's monitoring (also to remove it when monitoring is turned off).</summary>
    public static string Selector(ShopNames names) =>
        $"{names.AllSelector},app.kubernetes.io/component={Component}";

    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Build(ShopNames names, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> workloads)
    {
        if (!names.Shop.Spec.Monitoring.Enabled)
        {
            yield break;
        }
        yield return ServiceMonitorOf(names);
        yield return RuleOf(names, workloads);
        yield return Dashboard(names);
    }

    private static V1ObjectMeta Metadata(ShopNames names, string part)
    {
        var metadata = names.Metadata(part, Component);
        foreach (var (key, value) in names.Shop.Spec.Monitoring.Labels ?? [])
        {
            metadata.Labels.TryAdd(key, value); // the operator's own labels (its selectors) stay
        }
        return metadata;
    }

    private static ServiceMonitor ServiceMonitorOf(ShopNames names)
    {
        var interval = names.Shop.Spec.Monitoring.Interval;
        List<RelabelConfig> relabelings =
        [
            new() { SourceLabels = ["__meta_kubernetes_service_label_app_kubernetes_io_instance"], TargetLabel = ShopLabel, Action = "replace" },
        ];
        return new ServiceMonitor
        {
            Metadata = Metadata(names, Part),
            Spec = new ServiceMonitorSpec
            {
                // The four services (component service, port http) and the gateway's exporter
                // (component metrics, port metrics); never the gateway's API Service.
                Selector = new V1LabelSelector
                {
                    MatchLabels = new Dictionary<string, string> { [ShopNames.InstanceLabel] = names.Shop.Metadata.Name, [ShopNames.ManagedByLabel] = ShopNames.ManagedBy },
                    MatchExpressions = [new V1LabelSelectorRequirement { Key = "app.kubernetes.io/component", OperatorProperty = "In", Values = ["service", "metrics"] }],
                },
                NamespaceSelector = new NamespaceSelector { MatchNames = [names.Namespace] },
                Endpoints =
                [
                    new MonitorEndpoint { Port = "http", Path = "/metrics", Interval = interval, Relabelings = relabelings },
                    new MonitorEndpoint { Port = "metrics", Path = "/metrics", Interval = interval, Relabelings = relabelings },
                ],
            },
        };
    }

    private static PrometheusRule RuleOf(ShopNames names, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> workloads)
    {
        var rules = Rules();
        var pods = PodPattern(workloads);
        foreach (var rule in rules.Groups.SelectMany(g => g.Rules))
        {
            rule.Expr = Scope(rule.Expr, names, pods);
            var labels = new Dictionary<string, string>(rule.Labels ?? []);
            foreach (var (key, value) in names.Shop.Spec.Monitoring.AlertLabels ?? [])
            {
                labels[key] = value;
            }
            labels[ShopLabel] = names.Shop.Metadata.Name;
            rule.Labels = labels;
        }
        return new PrometheusRule { Metadata = Metadata(names, Part), Spec = rules };
    }

    /// <summary>
    /// Narrows every selector of an expression to this shop: the services' and the operator's
    /// series by namespace and shop; kube-state-metrics' (kube_*), which know no shop, by
    /// namespace and the names of the shop's pods. The rules file writes every selector with
    /// braces (a test checks it), so that the opening brace is where the matchers go.
    /// </summary>
    public static string Scope(string expr, ShopNames names, string podPattern) =>
        SelectorStart().Replace(expr, m =>
        {
            var matchers = m.Groups["metric"].Value.StartsWith("kube_", StringComparison.Ordinal)
                ? $"namespace=\"{names.Namespace}\", pod=~\"{podPattern}\""
                : $"namespace=\"{names.Namespace}\", {ShopLabel}=\"{names.Shop.Metadata.Name}\"";
            return $"{m.Groups["metric"].Value}{{{matchers}{(m.Groups["empty"].Success ? "" : ", ")}";
        });

    /// <summary>The names of the pods of the shop's Deployments (name-hash-suffix) and StatefulSets (name-ordinal).</summary>
    public static string PodPattern(IEnumerable<IKubernetesObject<V1ObjectMeta>> workloads)
    {
        var deployments = workloads.OfType<V1Deployment>().Select(d => d.Metadata.Name).Order(StringComparer.Ordinal).ToList();
        var statefulSets = workloads.OfType<V1StatefulSet>().Select(s => s.Metadata.Name).Order(StringComparer.Ordinal).ToList();
        List<string> patterns = [];
        if (deployments.Count > 0)
        {
            patterns.Add($"({string.Join("|", deployments)})-[a-z0-9]+-[a-z0-9]+");
        }
        if (statefulSets.Count > 0)
        {
            patterns.Add($"({string.Join("|", statefulSets)})-[0-9]+");
        }
        return string.Join("|", patterns);
    }

    /// <summary>
    /// The dashboard for this shop: its own uid and title (several shops' dashboards live side
    /// by side in one Grafana), its namespace and shop chosen in the variables, and a data key
    /// unique in the cluster (the sidecar writes every dashboard into one folder by key).
    /// </summary>
    public static V1ConfigMap Dashboard(ShopNames names)
    {
        var id = $"{names.Namespace}/{names.Shop.Metadata.Name}";
        var dashboard = JsonNode.Parse(DashboardText.Value)!.AsObject();
        dashboard["uid"] = "gomicro-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..16];
        dashboard["title"] = $"GoMicro shop {id}";
        foreach (var variable in dashboard["templating"]!["list"]!.AsArray())
        {
            var value = variable!["name"]!.GetValue<string>() switch
            {
                "namespace" => names.Namespace,
                "shop" => names.Shop.Metadata.Name,
                _ => null,
            };
            if (value is not null)
            {
                variable["current"] = new JsonObject { ["text"] = value, ["value"] = value };
            }
        }
        var metadata = Metadata(names, DashboardPart);
        metadata.Labels[DashboardLabel] = "1";
        return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = metadata,
            Data = new Dictionary<string, string>
            {
                [$"gomicro-{names.Namespace}-{names.Shop.Metadata.Name}.json"] = dashboard.ToJsonString(new JsonSerializerOptions { WriteIndented = true }),
            },
        };
    }

    private static string Embedded(string name)
    {
        using var stream = typeof(Monitoring).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in the operator.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A metric name followed by the opening brace of its matchers (and whether they are empty).</summary>
    [GeneratedRegex(@"(?<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<empty>(?=\}))?")]
    private static partial Regex SelectorStart();
}
