using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Operator.Controller;
using GoMicro.Operator.Crd;
using GoMicro.ServiceDefaults.Hosting;
using GoMicro.Testing;
using k8s;
using static GoMicro.Operator.Tests.Charts.RenderedObjects;

namespace GoMicro.Operator.Tests.Charts;

/// <summary>Both charts through the real helm (lint --strict, template), every rendered object checked against its schema.</summary>
public sealed class ChartTests
{
    public static readonly string Charts = Path.Combine(OfflineSchemas.RepositoryRoot, "charts");
    public static readonly string OperatorChart = Path.Combine(Charts, "gomicro-operator");
    public static readonly string ShopChart = Path.Combine(Charts, "gomicro");
    private const string ChartSchema = "https://json.schemastore.org/chart.json";

    [Theory]
    [InlineData("gomicro-operator", "{}")]
    [InlineData("gomicro-operator", """{ "replicas": 3, "image": { "repository": "registry.local/operator", "tag": "2.0.0" }, "serviceMonitor": { "enabled": true, "labels": { "release": "prometheus" } } }""")]
    [InlineData("gomicro-operator", """{ "watchNamespaces": ["shop-a", "shop-b"], "replicas": 2 }""")]
    [InlineData("gomicro", "{}")]
    [InlineData("gomicro", """{ "name": "acme", "spec": { "version": "2.0.0", "services": { "payments": { "replicas": 3 } }, "gateway": { "replicas": 2, "serviceType": "LoadBalancer" }, "dataRetention": "Delete" } }""")]
    public void Chart_yaml_is_valid_and_helm_lint_strict_passes(string chart, string values)
    {
        var directory = Path.Combine(Charts, chart);
        var chartYaml = YamlJson.Documents(File.ReadAllText(Path.Combine(directory, "Chart.yaml"))).Single()!;
        Assert.Empty(OfflineSchemas.Validate(OfflineSchemas.Get(ChartSchema), JsonSerializer.SerializeToElement(chartYaml)));
        Assert.Equal(chart, chartYaml["name"]!.GetValue<string>());

        // --strict turns every lint warning into a failure; lint also checks the values against values.schema.json.
        var output = Helm.Lint(directory, Helm.Values(values));
        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Generated_chart_files_match_the_operator_code()
    {
        AssertGenerated(Path.Combine(OperatorChart, "templates", "rbac.yaml"), Permissions.RbacTemplate(), "rbac");
        AssertGenerated(Path.Combine(ShopChart, "values.schema.json"), ValuesSchemaBuilder.ToJson(), "values-schema");
    }

    [Fact]
    public void The_operator_chart_renders_valid_Kubernetes_objects_with_and_without_its_ServiceMonitor()
    {
        var plain = Helm.Template(OperatorChart, "gomicro-operator", "gomicro-system", "--include-crds");
        Assert.Equal(["ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Deployment", "Role", "RoleBinding", "Service", "ServiceAccount"], plain.Select(Kind).Order());
        AssertValid(plain);
        // The CRD is installed from crds/ as committed (helm never templates nor upgrades it).
        var crd = plain.Single(d => Kind(d) == "CustomResourceDefinition");
        Assert.True(JsonNode.DeepEquals(YamlJson.Documents(File.ReadAllText(CrdTests.CommittedPath)).Single(), crd));

        var monitored = Helm.Template(OperatorChart, "gomicro-operator", "gomicro-system",
            Helm.Values("""{ "replicas": 3, "serviceMonitor": { "enabled": true, "interval": "15s", "labels": { "release": "prometheus" } } }"""));
        AssertValid(monitored);
        var monitor = monitored.Single(d => Kind(d) == "ServiceMonitor");
        Assert.Equal("prometheus", monitor["metadata"]!["labels"]!["release"]!.GetValue<string>());
        Assert.Equal("15s", monitor["spec"]!["endpoints"]![0]!["interval"]!.GetValue<string>());
        var service = monitored.Single(d => Kind(d) == "Service");
        Assert.Equal(service["spec"]!["ports"]![0]!["name"]!.GetValue<string>(), monitor["spec"]!["endpoints"]![0]!["port"]!.GetValue<string>());
        // The ServiceMonitor and the Service select the operator's pods by the same labels.
        var podLabels = monitored.Single(d => Kind(d) == "Deployment")["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        foreach (var selector in new[] { monitor["spec"]!["selector"]!["matchLabels"]!.AsObject(), service["spec"]!["selector"]!.AsObject() })
        {
            Assert.All(selector, label => Assert.Equal(label.Value!.GetValue<string>(), podLabels[label.Key]?.GetValue<string>()));
        }
        Assert.Equal(3, monitored.Single(d => Kind(d) == "Deployment")["spec"]!["replicas"]!.GetValue<long>());
    }

    [Fact]
    public void The_operator_runs_as_designed_with_least_privilege()
    {
        var docs = Helm.Template(OperatorChart, "gomicro-operator", "gomicro-system", "--set", "image.tag=2.0.0");
        var deployment = docs.Single(d => Kind(d) == "Deployment");
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("ghcr.io/gomicro/operator:2.0.0", container["image"]!.GetValue<string>());
        Assert.Equal(2, deployment["spec"]!["replicas"]!.GetValue<long>());
        Assert.Equal("gomicro-operator", deployment["spec"]!["template"]!["spec"]!["serviceAccountName"]!.GetValue<string>());
        Assert.Contains(container["env"]!.AsArray(), e => e!["name"]!.GetValue<string>() == "POD_NAMESPACE");
        // Cluster-wide by default: the operator watches every namespace.
        Assert.Equal("", Env(deployment, "Operator__WatchNamespaces"));
        // Without a tag the image is the chart's appVersion.
        var chartYaml = YamlJson.Documents(File.ReadAllText(Path.Combine(OperatorChart, "Chart.yaml"))).Single()!;
        var untagged = Helm.Template(OperatorChart, "gomicro-operator", "gomicro-system").Single(d => Kind(d) == "Deployment");
        Assert.Equal("ghcr.io/gomicro/operator:" + chartYaml["appVersion"]!.GetValue<string>(), untagged["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());

        var clusterRole = docs.Single(d => Kind(d) == "ClusterRole");
        Assert.Equal("gomicro-system-gomicro-operator", clusterRole["metadata"]!["name"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(KubernetesJson.Serialize(Permissions.ClusterRules)), clusterRole["rules"]));
        var rules = clusterRole["rules"]!.AsArray().Select(r => (Resources: Strings(r!["resources"]), Verbs: Strings(r!["verbs"]))).ToList();
        Assert.DoesNotContain(rules, r => r.Verbs.Contains("*") || r.Resources.Contains("*"));
        // Secrets can be created and, by the finalizer, deleted; never read: not even the operator's own.
        Assert.Equal(["create", "deletecollection"], rules.Single(r => r.Resources.Contains("secrets")).Verbs);
        Assert.DoesNotContain(rules, r => r.Verbs.Contains("delete") || r.Verbs.Contains("escalate") || r.Verbs.Contains("bind"));
        Assert.DoesNotContain(rules, r => r.Resources.Contains("leases"));
        var binding = docs.Single(d => Kind(d) == "ClusterRoleBinding");
        Assert.Equal("gomicro-system-gomicro-operator", binding["roleRef"]!["name"]!.GetValue<string>());
        Assert.Equal(("ServiceAccount", "gomicro-operator", "gomicro-system"), Subject(binding));

        var leaseRole = docs.Single(d => Kind(d) == "Role");
        Assert.Equal("gomicro-system", leaseRole["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal(["leases"], Strings(leaseRole["rules"]![0]!["resources"]));
        Assert.Equal(("ServiceAccount", "gomicro-operator", "gomicro-system"), Subject(docs.Single(d => Kind(d) == "RoleBinding")));
    }

    [Fact]
    public void The_operator_chart_opens_the_port_the_operator_listens_on()
    {
        // The chart cannot read ListenOptions: this is where its copy of the port is checked.
        var docs = Helm.Template(OperatorChart, "gomicro-operator", "gomicro-system");
        var port = Assert.Single(docs.Single(d => Kind(d) == "Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray());
        Assert.Equal(ListenOptions.DefaultHttpPort, port!["containerPort"]!.GetValue<long>());
        var servicePort = Assert.Single(docs.Single(d => Kind(d) == "Service")["spec"]!["ports"]!.AsArray());
        Assert.Equal(ListenOptions.DefaultHttpPort, servicePort!["port"]!.GetValue<long>());
    }

    [Fact]
    public void With_watchNamespaces_the_operator_gets_the_same_rules_as_a_Role_in_each_namespace_and_no_cluster_wide_right()
    {
        var docs = Helm.Template(OperatorChart, "gomicro-operator", "gomicro-system", "--set", "watchNamespaces={shop-a,shop-b}");
        AssertValid(docs);
        Assert.DoesNotContain(docs, d => Kind(d) is "ClusterRole" or "ClusterRoleBinding");
        Assert.Equal("shop-a,shop-b", Env(docs.Single(d => Kind(d) == "Deployment"), "Operator__WatchNamespaces"));

        var expectedRules = JsonNode.Parse(KubernetesJson.Serialize(Permissions.ClusterRules));
        foreach (var ns in new[] { "shop-a", "shop-b" })
        {
            var role = docs.Single(d => Kind(d) == "Role" && Namespace(d) == ns);
            Assert.Equal("gomicro-system-gomicro-operator", role["metadata"]!["name"]!.GetValue<string>());
            Assert.True(JsonNode.DeepEquals(expectedRules, role["rules"]), role["rules"]!.ToJsonString());
            var binding = docs.Single(d => Kind(d) == "RoleBinding" && Namespace(d) == ns);
            Assert.Equal(("Role", "gomicro-system-gomicro-operator"), (binding["roleRef"]!["kind"]!.GetValue<string>(), binding["roleRef"]!["name"]!.GetValue<string>()));
            Assert.Equal(("ServiceAccount", "gomicro-operator", "gomicro-system"), Subject(binding));
        }
        // The leader Lease stays in the operator's own namespace; nothing else is granted anywhere.
        Assert.Equal(["gomicro-system", "shop-a", "shop-b"], docs.Where(d => Kind(d) == "Role").Select(Namespace).Order());
        Assert.Equal(["leases"], Strings(docs.Single(d => Kind(d) == "Role" && Namespace(d) == "gomicro-system")["rules"]![0]!["resources"]));

        // One namespace works too, and a list helm could not turn into namespaces is refused.
        Assert.Equal("solo", Env(Helm.Template(OperatorChart, "op", "ops", Helm.Values("""{ "watchNamespaces": ["solo"] }""")).Single(d => Kind(d) == "Deployment"), "Operator__WatchNamespaces"));
        foreach (var bad in new[] { """{ "watchNamespaces": ["Shop_A"] }""", """{ "watchNamespaces": ["a", "a"] }""", """{ "watchNamespaces": "shop-a" }""", """{ "watchNamespaces": [""] }""" })
        {
            var refused = Assert.Throws<HelmException>(() => Helm.Template(OperatorChart, "op", "ops", Helm.Values(bad)));
            Assert.Contains("values don't meet the specifications of the schema", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_shop_chart_renders_a_GoMicroShop_the_CRD_accepts_and_helm_refuses_values_it_would_not()
    {
        var shop = Helm.Template(ShopChart, "acme", "shops",
            Helm.Values("""{ "spec": { "services": { "payments": { "replicas": 3, "image": "registry.local/payments:abc" }, "basket": { "replicas": 2 } } } }""")).Single();
        AssertValid([shop]);
        var typed = KubernetesJson.Deserialize<GoMicroShop>(shop.ToJsonString());
        Assert.Equal(("acme", "shops", "1.0.0"), (typed.Metadata.Name, typed.Metadata.NamespaceProperty, typed.Spec.Version));
        Assert.Equal(3, typed.Spec.Services.Payments.Replicas);
        Assert.Equal(2, typed.Spec.Services.Basket.Replicas);
        Assert.Equal("registry.local/payments:abc", typed.Spec.Services.Payments.Image);
        var chartYaml = YamlJson.Documents(File.ReadAllText(Path.Combine(ShopChart, "Chart.yaml"))).Single()!;
        var values = YamlJson.Documents(File.ReadAllText(Path.Combine(ShopChart, "values.yaml"))).Single()!;
        Assert.Equal(chartYaml["appVersion"]!.GetValue<string>(), values["spec"]!["version"]!.GetValue<string>());
        Assert.Equal("named", Helm.Template(ShopChart, "acme", "shops", "--set", "name=named").Single()["metadata"]!["name"]!.GetValue<string>());

        // values.schema.json is strict: helm refuses what the API server would drop or refuse.
        foreach (var bad in new[] { """{ "spec": { "servcies": {} } }""", """{ "spec": { "gateway": { "replicas": 99 } } }""", """{ "spec": { "version": "" } }""", """{ "spec": { "dataRetention": "Sometimes" } }""" })
        {
            var refused = Assert.Throws<HelmException>(() => Helm.Template(ShopChart, "acme", "shops", Helm.Values(bad)));
            Assert.Contains("values don't meet the specifications of the schema", refused.Message, StringComparison.Ordinal);
        }
    }

    private static string? Namespace(JsonObject obj) => obj["metadata"]!["namespace"]?.GetValue<string>();

    private static string? Env(JsonObject deployment, string name) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().SingleOrDefault(e => e!["name"]!.GetValue<string>() == name)?["value"]?.GetValue<string>();

    private static (string, string, string) Subject(JsonObject binding)
    {
        var subject = binding["subjects"]!.AsArray().Single()!;
        return (subject["kind"]!.GetValue<string>(), subject["name"]!.GetValue<string>(), subject["namespace"]!.GetValue<string>());
    }

    private static void AssertGenerated(string path, string expected, string command) =>
        Assert.True(File.ReadAllText(path) == expected,
            $"{path} drifted from the operator's code. Regenerate it: dotnet run --project operator/GoMicro.Operator -- {command} > {Path.GetRelativePath(OfflineSchemas.RepositoryRoot, path)}");
}
