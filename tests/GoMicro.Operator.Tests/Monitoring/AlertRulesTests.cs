using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GoMicro.Operator.Resources;
using GoMicro.Testing;
using k8s;

namespace GoMicro.Operator.Tests.Monitoring;

/// <summary>
/// monitoring/gomicro-rules.yaml, the shop's alerts: promtool checks them and runs their unit
/// tests (monitoring/gomicro-rules.test.yaml), as committed and as the operator renders them
/// for one shop; and every alert is documented, tested both ways and narrowable to a shop.
/// </summary>
public sealed class AlertRulesTests : IDisposable
{
    public static readonly string Folder = Path.Combine(OfflineSchemas.RepositoryRoot, "monitoring");
    public static readonly string RulesPath = Path.Combine(Folder, "gomicro-rules.yaml");
    public static readonly string TestsPath = Path.Combine(Folder, "gomicro-rules.test.yaml");

    private readonly string _dir = Directory.CreateTempSubdirectory("gomicro-rules-").FullName;

    private static JsonObject RuleFile() => YamlJson.Documents(File.ReadAllText(RulesPath)).Single()!.AsObject();

    public static IEnumerable<JsonObject> Alerts(JsonNode ruleFile) =>
        ruleFile["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!.AsObject());

    [Fact]
    public void The_rules_pass_promtool_check_rules()
    {
        Promtool.AssertSucceeds(Folder, "check", "rules", "gomicro-rules.yaml");
    }

    [Fact]
    public void Each_alert_fires_when_it_should_and_not_otherwise_promtool_test_rules()
    {
        Promtool.AssertSucceeds(Folder, "test", "rules", "gomicro-rules.test.yaml");
    }

    [Fact]
    public void The_rules_the_operator_renders_for_a_shop_pass_the_same_unit_tests()
    {
        // The committed cases are about shop "acme" in namespace "shop": narrowed to that shop,
        // the rules must behave the same (each alert then also carries the shop's label).
        var rendered = RenderedRules("acme", "shop");
        Promtool.AssertSucceeds(_dir, "check", "rules", rendered);
        var tests = CommittedTests(rendered);
        foreach (var expected in tests["tests"]!.AsArray().SelectMany(t => t!["alert_rule_test"]!.AsArray()).SelectMany(a => a!["exp_alerts"]!.AsArray()))
        {
            expected!["exp_labels"]!["shop"] = "acme";
        }
        Promtool.AssertSucceeds(_dir, "test", "rules", Write("rendered.test.yaml", tests));
    }

    [Theory]
    [InlineData("another shop in the same namespace", "shop", "other")]
    [InlineData("a shop of the same name in another namespace", "elsewhere", "acme")]
    public void A_shops_rules_ignore_every_other_shops_series(string what, string ns, string shop)
    {
        // The committed cases, moved to another shop: every alert they fire in the committed
        // rules must stay silent in acme's.
        var rendered = RenderedRules("acme", "shop");
        var tests = CommittedTests(rendered);
        foreach (var test in tests["tests"]!.AsArray())
        {
            foreach (var series in test!["input_series"]!.AsArray())
            {
                series!["series"] = series["series"]!.GetValue<string>()
                    .Replace("namespace=\"shop\"", $"namespace=\"{ns}\"", StringComparison.Ordinal)
                    .Replace("shop=\"acme\"", $"shop=\"{shop}\"", StringComparison.Ordinal)
                    .Replace("\"acme-", $"\"{shop}-", StringComparison.Ordinal);
            }
            foreach (var check in test["alert_rule_test"]!.AsArray())
            {
                check!["exp_alerts"] = new JsonArray();
            }
        }
        var (code, output) = Promtool.Run(_dir, "test", "rules", Write("elsewhere.test.yaml", tests));
        Assert.True(code == 0, $"{what}: acme's rules fired on its series:\n{output}");
    }

    [Fact]
    public void Every_selector_is_written_with_braces_so_the_operator_can_narrow_it_to_a_shop()
    {
        foreach (var rule in Alerts(RuleFile()))
        {
            var expr = rule["expr"]!.GetValue<string>();
            Assert.NotEmpty(PromQl.Selectors(expr));
            Assert.All(PromQl.Selectors(expr), s => Assert.True(s.HasBraces, $"{rule["alert"]}: {s.Metric} has no braces in {expr}"));
        }
        var narrowed = Alerts(JsonNode.Parse(KubernetesJson.Serialize(Rendered("acme", "shop").Spec))!).ToList();
        Assert.All(narrowed, rule => Assert.Contains("namespace=\"shop\"", rule["expr"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public void Every_alert_has_a_severity_a_summary_a_description_and_a_runbook_section_in_the_README()
    {
        var readme = File.ReadAllText(Path.Combine(OfflineSchemas.RepositoryRoot, "README.md"));
        var anchors = Regex.Matches(readme, @"^#+ (.+)$", RegexOptions.Multiline)
            .Select(m => Regex.Replace(m.Groups[1].Value.Trim().ToLowerInvariant().Replace(' ', '-'), "[^a-z0-9_-]", ""))
            .ToHashSet();
        var alerts = Alerts(RuleFile()).ToList();
        Assert.Equal(10, alerts.Count);
        foreach (var alert in alerts)
        {
            var name = alert["alert"]!.GetValue<string>();
            Assert.True(alert["labels"]!["severity"]!.GetValue<string>() is "critical" or "warning", $"{name}: severity");
            Assert.False(string.IsNullOrWhiteSpace(alert["annotations"]!["summary"]?.GetValue<string>()), $"{name}: no summary");
            Assert.False(string.IsNullOrWhiteSpace(alert["annotations"]!["description"]?.GetValue<string>()), $"{name}: no description");
            var runbook = alert["annotations"]!["runbook_url"]!.GetValue<string>();
            Assert.StartsWith("https://github.com/gomicro/gomicro/blob/main/README.md#", runbook, StringComparison.Ordinal);
            Assert.True(anchors.Contains(runbook[(runbook.IndexOf('#', StringComparison.Ordinal) + 1)..]), $"{name}: README.md has no section for {runbook}");
        }
    }

    [Fact]
    public void Every_alert_has_a_unit_test_where_it_fires_and_one_where_it_does_not()
    {
        var tests = YamlJson.Documents(File.ReadAllText(TestsPath)).Single()!;
        var checks = tests["tests"]!.AsArray().SelectMany(t => t!["alert_rule_test"]!.AsArray()).ToList();
        foreach (var name in Alerts(RuleFile()).Select(a => a["alert"]!.GetValue<string>()))
        {
            var mine = checks.Where(c => c!["alertname"]!.GetValue<string>() == name).ToList();
            Assert.True(mine.Any(c => c!["exp_alerts"]!.AsArray().Count > 0), $"{name}: no test where it fires");
            Assert.True(mine.Any(c => c!["exp_alerts"]!.AsArray().Count == 0), $"{name}: no test where it stays silent");
        }
    }

    [Fact]
    public void The_operator_embeds_the_committed_rules_unchanged()
    {
        var embedded = JsonNode.Parse(KubernetesJson.Serialize(Resources.Monitoring.Rules()))!;
        var committed = RuleFile();
        Assert.Equal(
            Alerts(committed).Select(a => (a["alert"]!.GetValue<string>(), a["expr"]!.GetValue<string>(), a["for"]?.GetValue<string>())),
            Alerts(embedded).Select(a => (a["alert"]!.GetValue<string>(), a["expr"]!.GetValue<string>(), a["for"]?.GetValue<string>())));
    }

    internal static PrometheusRule Rendered(string shop, string ns) =>
        ShopResources.Build(new ShopNames(TestShops.New(shop, ns, s => s.Monitoring.Enabled = true))).OfType<PrometheusRule>().Single();

    /// <summary>The operator's PrometheusRule spec for a shop, as a rule file (JSON is YAML).</summary>
    private string RenderedRules(string shop, string ns) => Write($"{shop}-rules.yaml", JsonNode.Parse(KubernetesJson.Serialize(Rendered(shop, ns).Spec))!);

    private static JsonObject CommittedTests(string rulesFile)
    {
        var tests = YamlJson.Documents(File.ReadAllText(TestsPath)).Single()!.AsObject();
        tests["rule_files"] = new JsonArray(rulesFile);
        return tests;
    }

    private string Write(string name, JsonNode content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content.ToJsonString());
        return path;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
