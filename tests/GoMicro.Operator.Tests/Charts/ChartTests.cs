using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Operator.Controller;
using GoMicro.Operator.Crd;
using GoMicro.Testing;
using Json.Schema;
using k8s;

namespace GoMicro.Operator.Tests.Charts;

public sealed class ChartTests
{
    private static readonly string Charts = Path.Combine(OfflineSchemas.RepositoryRoot, "charts");
    private static readonly string OperatorChart = Path.Combine(Charts, "gomicro-operator");
    private static readonly string ShopChart = Path.Combine(Charts, "gomicro");
    private const string ChartSchema = "https://json.schemastore.org/chart.json";
    private const string ServiceMonitorSchema = "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/monitoring.coreos.com/servicemonitor_v1.json";

    [Theory]
    [InlineData("gomicro-operator")]
    [InlineData("gomicro")]
    public void Chart_yaml_is_valid_and_the_default_values_satisfy_the_values_schema(string chart)
    {
        var directory = Path.Combine(Charts, chart);
        var preview = new HelmPreview(directory);
        Assert.Empty(OfflineSchemas.Validate(OfflineSchemas.Get(ChartSchema), JsonSerializer.SerializeToElement(preview.ChartYaml)));
        Assert.Equal(chart, preview.ChartYaml["name"]!.GetValue<string>());
        Assert.True(ValuesSchema(directory).Evaluate(JsonSerializer.SerializeToElement(preview.DefaultValues)).IsValid);
    }

    [Fact]
    public void Generated_chart_files_match_the_operator_code()
    {
        AssertGenerated(Path.Combine(OperatorChart, "templates", "clusterrole.yaml"), Permissions.ClusterRoleTemplate(), "rbac");
        AssertGenerated(Path.Combine(ShopChart, "values.schema.json"), ValuesSchemaBuilder.ToJson(), "values-schema");
    }

    [Fact]
    public void The_operator_chart_renders_valid_Kubernetes_objects_with_and_without_its_ServiceMonitor()
    {
        var preview = new HelmPreview(OperatorChart);
        var plain = preview.Render("gomicro-operator", "gomicro-system");
        Assert.Equal(["ClusterRole", "ClusterRoleBinding", "Deployment", "Role", "RoleBinding", "Service", "ServiceAccount"], plain.Select(Kind).Order());
        foreach (var doc in plain)
        {
            var errors = KubernetesSchemas.Validate(JsonSerializer.SerializeToElement(doc));
            Assert.True(errors.Count == 0, $"{Kind(doc)}:\n{string.Join("\n", errors.Take(10))}");
        }

        var monitored = preview.Render("gomicro-operator", "gomicro-system", JsonNode.Parse("""{ "serviceMonitor": { "enabled": true, "labels": { "release": "prometheus" } } }""")!.AsObject());
        var monitor = monitored.Single(d => Kind(d) == "ServiceMonitor");
        Assert.Empty(OfflineSchemas.Validate(OfflineSchemas.Get(ServiceMonitorSchema), JsonSerializer.SerializeToElement(monitor)));
        Assert.Equal("prometheus", monitor["metadata"]!["labels"]!["release"]!.GetValue<string>());
        var service = monitored.Single(d => Kind(d) == "Service");
        Assert.Equal(service["spec"]!["ports"]![0]!["name"]!.GetValue<string>(), monitor["spec"]!["endpoints"]![0]!["port"]!.GetValue<string>());
    }

    [Fact]
    public void The_operator_runs_as_designed_with_least_privilege()
    {
        var docs = new HelmPreview(OperatorChart).Render("gomicro-operator", "gomicro-system", JsonNode.Parse("""{ "image": { "tag": "2.0.0" } }""")!.AsObject());
        var deployment = docs.Single(d => Kind(d) == "Deployment");
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("ghcr.io/gomicro/operator:2.0.0", container["image"]!.GetValue<string>());
        Assert.Equal(2, deployment["spec"]!["replicas"]!.GetValue<long>());
        Assert.Equal("gomicro-operator", deployment["spec"]!["template"]!["spec"]!["serviceAccountName"]!.GetValue<string>());
        Assert.Contains(container["env"]!.AsArray(), e => e!["name"]!.GetValue<string>() == "POD_NAMESPACE");

        var clusterRules = docs.Single(d => Kind(d) == "ClusterRole")["rules"]!.AsArray();
        var rules = clusterRules.Select(r => (Resources: Strings(r!["resources"]), Verbs: Strings(r!["verbs"]))).ToList();
        Assert.DoesNotContain(rules, r => r.Verbs.Contains("*") || r.Resources.Contains("*"));
        // Secrets can be created and, by the finalizer, deleted; never read: not even the operator's own.
        Assert.Equal(["create", "deletecollection"], rules.Single(r => r.Resources.Contains("secrets")).Verbs);
        Assert.DoesNotContain(rules, r => r.Verbs.Contains("delete") || r.Verbs.Contains("escalate") || r.Verbs.Contains("bind"));
        Assert.DoesNotContain(rules, r => r.Resources.Contains("leases"));
        var leaseRole = docs.Single(d => Kind(d) == "Role");
        Assert.Equal("gomicro-system", leaseRole["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal(["leases"], Strings(leaseRole["rules"]![0]!["resources"]));
    }

    [Fact]
    public void The_shop_chart_renders_a_GoMicroShop_the_CRD_accepts_and_refuses_values_it_would_not()
    {
        var preview = new HelmPreview(ShopChart);
        var shop = preview.Render("acme", "shops", JsonNode.Parse("""{ "spec": { "services": { "payments": { "replicas": 3, "image": "registry.local/payments:abc" } } } }""")!.AsObject()).Single();

        var crd = YamlJson.Documents(File.ReadAllText(CrdTests.CommittedPath)).Single()!;
        var openApi = OfflineSchemas.FromText(crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.ToJsonString());
        Assert.True(openApi.Evaluate(JsonSerializer.SerializeToElement(shop)).IsValid);
        var typed = KubernetesJson.Deserialize<GoMicroShop>(shop.ToJsonString());
        Assert.Equal(("acme", "shops", "1.0.0"), (typed.Metadata.Name, typed.Metadata.NamespaceProperty, typed.Spec.Version));
        Assert.Equal(3, typed.Spec.Services.Payments.Replicas);
        Assert.Equal("registry.local/payments:abc", typed.Spec.Services.Payments.Image);
        Assert.Equal(preview.ChartYaml["appVersion"]!.GetValue<string>(), preview.DefaultValues["spec"]!["version"]!.GetValue<string>());

        var schema = ValuesSchema(ShopChart);
        foreach (var bad in new[] { """{ "spec": { "version": "1", "servcies": {} } }""", """{ "spec": { "version": "1", "gateway": { "replicas": 99 } } }""", """{ "spec": { } }""" })
        {
            Assert.False(schema.Evaluate(JsonDocument.Parse(bad).RootElement).IsValid, bad);
        }
    }

    [Fact]
    public void Skaffold_builds_the_five_images_and_deploys_both_charts()
    {
        var skaffold = YamlJson.Documents(File.ReadAllText(Path.Combine(OfflineSchemas.RepositoryRoot, "skaffold.yaml"))).Single()!;
        Assert.Empty(OfflineSchemas.Validate(OfflineSchemas.Get("https://raw.githubusercontent.com/GoogleContainerTools/skaffold/main/docs-v2/content/en/schemas/v4beta14.json"), JsonSerializer.SerializeToElement(skaffold)));

        var projects = skaffold["build"]!["artifacts"]!.AsArray().Select(a => a!["docker"]!["buildArgs"]!["PROJECT"]!.GetValue<string>()).ToList();
        Assert.Equal(["GoMicro.Basket", "GoMicro.Operator", "GoMicro.Payments", "GoMicro.Products", "GoMicro.Users"], projects.Order());
        Assert.All(projects, p => Assert.True(
            File.Exists(Path.Combine(OfflineSchemas.RepositoryRoot, "services", p, p + ".csproj")) || File.Exists(Path.Combine(OfflineSchemas.RepositoryRoot, "operator", p, p + ".csproj")), p));

        var releases = skaffold["manifests"]!["helm"]!["releases"]!.AsArray();
        Assert.Equal(["charts/gomicro-operator", "charts/gomicro"], releases.Select(r => r!["chartPath"]!.GetValue<string>()));
        var shopSchema = ValuesSchema(ShopChart);
        foreach (var key in releases[1]!["setValueTemplates"]!.AsObject().Select(p => p.Key))
        {
            // Each --set path must be one the values schema allows, or Helm would refuse it.
            var values = new JsonObject();
            var node = values;
            var parts = key.Split('.');
            foreach (var part in parts[..^1])
            {
                node = (JsonObject)(node[part] = new JsonObject());
            }
            node[parts[^1]] = "x";
            values["spec"]!["version"] = "1";
            Assert.True(shopSchema.Evaluate(JsonSerializer.SerializeToElement(values)).IsValid, key);
        }
        Assert.Equal(["kind", "minikube"], skaffold["profiles"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
    }

    private static JsonSchema ValuesSchema(string chart) =>
        JsonSchema.FromFile(Path.Combine(chart, "values.schema.json"), new BuildOptions { SchemaRegistry = new SchemaRegistry() }, new Uri($"urn:gomicro:{Path.GetFileName(chart)}:{Guid.NewGuid()}"));

    private static void AssertGenerated(string path, string expected, string command) =>
        Assert.True(File.ReadAllText(path) == expected,
            $"{path} drifted from the operator's code. Regenerate it: dotnet run --project operator/GoMicro.Operator -- {command} > {Path.GetRelativePath(OfflineSchemas.RepositoryRoot, path)}");

    private static string Kind(JsonObject doc) => doc["kind"]!.GetValue<string>();

    private static List<string> Strings(JsonNode? array) => [.. array!.AsArray().Select(n => n!.GetValue<string>())];
}
