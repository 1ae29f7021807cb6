using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using GoMicro.ServiceDefaults;
using k8s;
using k8s.Models;
using static GoMicro.Operator.Resources.PodParts;

namespace GoMicro.Operator.Resources;

/// <summary>
/// KrakenD in front of the services: the generated krakend/krakend.json (embedded at build
/// time) with its backend hosts renamed to this shop's Services, in a ConfigMap whose hash
/// rolls the gateway's pods when it changes. The API is on &lt;shop&gt;-gateway, of the type the
/// shop chooses; KrakenD's Prometheus exporter (:9091) is only on &lt;shop&gt;-gateway-metrics, a
/// ClusterIP Service, so a NodePort or LoadBalancer gateway never publishes its metrics.
/// </summary>
internal static partial class Gateway
{
    public const string Part = "gateway";
    public const string MetricsPart = "gateway-metrics";
    public const int Port = 8085;
    public const int MetricsPort = 9091;
    private const string ConfigFile = "krakend.json";

    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(Gateway).Assembly.GetManifestResourceStream(ConfigFile)
            ?? throw new InvalidOperationException($"{ConfigFile} is not embedded in the operator.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string Url(ShopNames names) => $"http://{names.Of(Part)}.{names.Namespace}.svc:{Port}";

    /// <summary>krakend.json with every http://&lt;service&gt;:port renamed to this shop's Service.</summary>
    public static string Configuration(ShopNames names) =>
        ServiceHost().Replace(Template.Value, m => $"{m.Groups["scheme"].Value}{names.Of(m.Groups["service"].Value)}:");

    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Build(ShopNames names)
    {
        var configuration = Configuration(names);
        yield return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = names.Metadata(Part, Part),
            Data = new Dictionary<string, string> { [ConfigFile] = configuration },
        };
        yield return Deployment(names, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(configuration)))[..16]);
        yield return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = names.Metadata(Part, Part),
            Spec = new V1ServiceSpec
            {
                Type = names.Shop.Spec.Gateway.ServiceType.ToString(),
                ExternalTrafficPolicy = ExternalTrafficPolicy(names.Shop.Spec.Gateway.ServiceType),
                Selector = names.Selector(Part),
                Ports = [ServicePort("http", Port, "http")],
            },
        };
        yield return MetricsService(names);
    }

    /// <summary>
    /// KrakenD counts per-client limits on the TCP peer's address (the generated config does not
    /// trust X-Forwarded-For). Under the default policy, Cluster, kube-proxy masquerades traffic
    /// from outside, so that peer is a node and every client behind it shares one bucket; Local
    /// keeps the client's address and sends traffic only to nodes that run a gateway pod (a
    /// cloud load balancer finds them through the Service's health-check node port). Only
    /// NodePort and LoadBalancer Services take the field.
    /// </summary>
    private static string? ExternalTrafficPolicy(Crd.GatewayServiceType type) =>
        type is Crd.GatewayServiceType.NodePort or Crd.GatewayServiceType.LoadBalancer ? "Local" : null;

    /// <summary>
    /// The exporter, for Prometheus inside the cluster: scraped from the pods' annotations, or
    /// by a ServiceMonitor selecting app.kubernetes.io/component=metrics and port "metrics".
    /// </summary>
    private static V1Service MetricsService(ShopNames names) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = names.Metadata(MetricsPart, "metrics"),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = names.Selector(Part),
            Ports = [ServicePort("metrics", MetricsPort, "http")],
        },
    };

    private static V1Deployment Deployment(ShopNames names, string configHash) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = names.Metadata(Part, Part),
        Spec = new V1DeploymentSpec
        {
            Replicas = Availability.Replicas(names.Shop.Spec.Gateway.Replicas, names.Shop.Spec.Gateway.Autoscaling),
            Selector = new V1LabelSelector { MatchLabels = names.Selector(Part) },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta
                {
                    Labels = names.Labels(Part, Part),
                    Annotations = new Dictionary<string, string>
                    {
                        ["gomicro.io/config-hash"] = configHash,
                        ["prometheus.io/scrape"] = "true",
                        ["prometheus.io/port"] = MetricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        // krakend-otel v0.14.4 exporter/prometheus/prometheus.go:63
                        ["prometheus.io/path"] = "/metrics",
                    },
                },
                Spec = new V1PodSpec
                {
                    AutomountServiceAccountToken = false,
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "krakend",
                            Image = names.Shop.Spec.Gateway.Image,
                            ImagePullPolicy = names.PullPolicy,
                            Args = ["run", "-c", $"/etc/krakend/{ConfigFile}"],
                            Ports = [PodParts.Port("http", Port), PodParts.Port("metrics", MetricsPort)],
                            LivenessProbe = HttpProbe("/__health", "http"),
                            ReadinessProbe = HttpProbe("/__health", "http", periodSeconds: 5),
                            Resources = Requirements(new Crd.ResourcesSpec()),
                            SecurityContext = Restricted(),
                            VolumeMounts = [new V1VolumeMount { Name = "config", MountPath = "/etc/krakend", ReadOnlyProperty = true }],
                        },
                    ],
                    Volumes = [new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = names.Of(Part) } }],
                    TopologySpreadConstraints = Availability.SpreadAcrossNodes(names, Part),
                },
            },
        },
    };

    [GeneratedRegex(@"(?<scheme>https?://)(?<service>" + ServiceNames.Users + "|" + ServiceNames.Products + "|" + ServiceNames.Basket + "|" + ServiceNames.Payments + "):")]
    private static partial Regex ServiceHost();
}
