using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Operator.Resources;
using GoMicro.Testing;

namespace GoMicro.Operator.Tests.Monitoring;

/// <summary>
/// monitoring/gomicro-dashboard.json, the Grafana dashboard the operator ships. Whether every
/// metric it names is one the services export is proved against their real /metrics, in
/// GoMicro.EndToEnd.Tests (MetricsContractTests).
/// </summary>
public sealed class DashboardTests : IDisposable
{
    public static readonly string DashboardPath = Path.Combine(AlertRulesTests.Folder, "gomicro-dashboard.json");

    private readonly string _dir = Directory.CreateTempSubdirectory("gomicro-dashboard-").FullName;

    public static JsonObject Dashboard() => JsonNode.Parse(File.ReadAllText(DashboardPath))!.AsObject();

    /// <summary>Every panel of the dashboard, those inside collapsed rows included.</summary>
    public static IEnumerable<JsonObject> Panels(JsonObject dashboard) =>
        dashboard["panels"]!.AsArray().Select(p => p!.AsObject()).SelectMany(p => new[] { p }.Concat((p["panels"] as JsonArray ?? []).Select(c => c!.AsObject())));

    public static IEnumerable<(string Panel, string Expr)> Queries(JsonObject dashboard) =>
        Panels(dashboard).Where(p => p["targets"] is JsonArray).SelectMany(p => p["targets"]!.AsArray().Select(t => (p["title"]!.GetValue<string>(), t!["expr"]!.GetValue<string>())))
            .Concat(dashboard["templating"]!["list"]!.AsArray().Where(v => v!["type"]!.GetValue<string>() == "query")
                .Select(v => ("variable " + v!["name"]!.GetValue<string>(), PromQl.FromVariableQuery(v["query"]!["query"]!.GetValue<string>()))));

    [Fact]
    public void The_dashboard_is_valid_JSON_with_unique_panel_ids_a_Prometheus_datasource_variable_and_a_query_on_every_panel()
    {
        var text = File.ReadAllText(DashboardPath);
        using (JsonDocument.Parse(text))
        {
        }
        var dashboard = Dashboard();
        Assert.Equal("gomicro-shop", dashboard["uid"]!.GetValue<string>());
        Assert.True(dashboard["schemaVersion"]!.GetValue<int>() >= 36);
        var variables = dashboard["templating"]!["list"]!.AsArray().ToDictionary(v => v!["name"]!.GetValue<string>(), v => v!);
        Assert.Equal(("datasource", "prometheus"), (variables["datasource"]["type"]!.GetValue<string>(), variables["datasource"]["query"]!.GetValue<string>()));
        Assert.True(variables.ContainsKey("namespace") && variables.ContainsKey("shop"));

        var panels = Panels(dashboard).ToList();
        Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
        var graphs = panels.Where(p => p["type"]!.GetValue<string>() != "row").ToList();
        Assert.True(graphs.Count >= 15, $"{graphs.Count} panels");
        Assert.All(graphs, p =>
        {
            Assert.Equal("${datasource}", p["datasource"]!["uid"]!.GetValue<string>());
            var targets = p["targets"]!.AsArray();
            Assert.NotEmpty(targets);
            Assert.All(targets, t =>
            {
                var expr = t!["expr"]!.GetValue<string>();
                // Every selector narrowed to the chosen shop, so one Grafana can show many shops.
                Assert.All(PromQl.Selectors(expr), s => Assert.True(s.HasBraces, $"{p["title"]}: {s.Metric} without matchers"));
                Assert.True(expr.Split('{').Skip(1).All(m => m.Contains("namespace=\"$namespace\", shop=\"$shop\"", StringComparison.Ordinal)), $"{p["title"]}: a selector not narrowed to $namespace/$shop: {expr}");
            });
        });
    }

    [Fact]
    public void The_dashboard_shows_what_a_shop_is_judged_by()
    {
        var metrics = Queries(Dashboard()).SelectMany(q => PromQl.MetricNames(q.Expr)).ToHashSet();
        string[] expected =
        [
            "http_request_duration_seconds_count", "http_request_duration_seconds_bucket", // requests and latency per route
            "gomicro_checkouts_total", "gomicro_payments_total", "gomicro_checkout_duration_seconds_bucket", // checkouts per outcome
            "gomicro_outbox_lag_seconds", "gomicro_outbox_pending", "gomicro_stock_commit_lag_seconds_bucket", // outbox and consumer lag
            "gomicro_products_stock_reserved_total", "gomicro_products_stock_released_total", // stock reservations
            "process_cpu_seconds_total", "process_working_set_bytes", // resource use
        ];
        Assert.All(expected, m => Assert.Contains(m, metrics));
    }

    [Fact]
    public void Every_dashboard_query_is_valid_PromQL_for_promtool()
    {
        // Grafana's variables replaced by what they stand for, each query a recording rule.
        var rules = new JsonArray([.. Queries(Dashboard()).Select((q, i) => (JsonNode)new JsonObject
        {
            ["record"] = $"dashboard:query_{i}",
            ["expr"] = q.Expr.Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$namespace", "shop", StringComparison.Ordinal).Replace("$shop", "acme", StringComparison.Ordinal),
        })]);
        var file = Path.Combine(_dir, "dashboard-queries.yaml");
        File.WriteAllText(file, new JsonObject { ["groups"] = new JsonArray(new JsonObject { ["name"] = "dashboard", ["rules"] = rules }) }.ToJsonString());
        Promtool.AssertSucceeds(_dir, "check", "rules", file);
    }

    [Fact]
    public void Each_shop_gets_its_own_dashboard_with_its_own_uid_title_file_name_and_variables()
    {
        static (string Key, JsonObject Dashboard, IDictionary<string, string> Labels) Of(string shop, string ns)
        {
            var map = Resources.Monitoring.Dashboard(new ShopNames(TestShops.New(shop, ns, s => s.Monitoring.Enabled = true)));
            var (key, json) = map.Data.Single();
            return (key, JsonNode.Parse(json)!.AsObject(), map.Metadata.Labels);
        }
        var a = Of("acme", "shop");
        var b = Of("acme", "staging");

        Assert.Equal("gomicro-shop-acme.json", a.Key);
        Assert.NotEqual(a.Key, b.Key);
        Assert.NotEqual(a.Dashboard["uid"]!.GetValue<string>(), b.Dashboard["uid"]!.GetValue<string>());
        Assert.True(a.Dashboard["uid"]!.GetValue<string>().Length <= 40);
        Assert.Equal("GoMicro shop shop/acme", a.Dashboard["title"]!.GetValue<string>());
        var variables = a.Dashboard["templating"]!["list"]!.AsArray().ToDictionary(v => v!["name"]!.GetValue<string>(), v => v!["current"]?["value"]?.GetValue<string>());
        Assert.Equal(("shop", "acme"), (variables["namespace"], variables["shop"]));
        Assert.Equal("1", a.Labels["grafana_dashboard"]);
        // Everything else is the committed dashboard.
        Assert.Equal(Queries(Dashboard()).Select(q => q.Expr), Queries(a.Dashboard).Select(q => q.Expr));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
