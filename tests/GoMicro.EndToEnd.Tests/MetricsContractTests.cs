using System.Net;
using System.Text.Json.Nodes;
using GoMicro.Testing;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// The dashboard and the alerts the operator ships (monitoring/) name only metrics the services
/// really export: the four services run, a customer buys something and has a card declined, and
/// their /metrics are read. (In-process the four share prometheus-net's registry, so their union
/// is read: the same set a cluster's four Deployments export together.)
/// </summary>
public sealed class MetricsContractTests(ShopFixture shop) : IClassFixture<ShopFixture>
{
    private static readonly string Monitoring = Path.Combine(OfflineSchemas.RepositoryRoot, "monitoring");

    /// <summary>Series the alerts read from elsewhere than the services' /metrics, and why.</summary>
    private static readonly Dictionary<string, string> FromElsewhere = new()
    {
        ["up"] = "written by Prometheus for every target",
        ["kube_pod_container_status_restarts_total"] = "kube-state-metrics",
        ["gomicro_operator_shop_reconcile_errors_total"] = "the operator's /metrics (checked in GoMicro.Operator.Tests, MonitoringReconcileTests)",
    };

    private async Task<HashSet<string>> ExportedAsync()
    {
        // Lazily created series exist once their code has run: a paid checkout whose stock is
        // committed, and a declined one whose hold is released.
        var (_, token) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 5);
        await shop.AddToBasketAsync(token, product, 1);
        var (paid, _) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        await Eventually.UntilAsync(async () => await shop.StockAsync(product) == 4 && await shop.BasketLinesAsync(token) == 0, what: "stock committed and basket cleared");
        await shop.AddToBasketAsync(token, product, 1);
        var (declined, payment) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString(), "tok_declined");
        Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
        var id = payment.GetProperty("id").GetString();
        await Eventually.UntilAsync(async () =>
            await shop.ProductsDb.ScalarAsync<string>($"SELECT state FROM stock_reservations WHERE payment_id = '{id}'") == "Released", what: "the declined checkout's hold released");

        HashSet<string> names = [];
        foreach (var service in new[] { "users", "products", "basket", "payments" })
        {
            var response = await shop.ClientFor(service).GetAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            names.UnionWith(PromQl.ExpositionNames(await response.Content.ReadAsStringAsync()));
        }
        return names;
    }

    private static IEnumerable<(string Where, string Expr)> DashboardQueries()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(Monitoring, "gomicro-dashboard.json")))!;
        var panels = dashboard["panels"]!.AsArray().SelectMany(p => new[] { p! }.Concat((p!["panels"] as JsonArray ?? []).Select(c => c!)));
        return panels.Where(p => p["targets"] is JsonArray)
            .SelectMany(p => p["targets"]!.AsArray().Select(t => ($"panel \"{p["title"]}\"", t!["expr"]!.GetValue<string>())))
            .Concat(dashboard["templating"]!["list"]!.AsArray().Where(v => v!["type"]!.GetValue<string>() == "query")
                .Select(v => ($"variable {v!["name"]}", PromQl.FromVariableQuery(v["query"]!["query"]!.GetValue<string>()))));
    }

    private static IEnumerable<(string Where, string Expr)> AlertQueries()
    {
        var rules = YamlJson.Documents(File.ReadAllText(Path.Combine(Monitoring, "gomicro-rules.yaml"))).Single()!;
        return rules["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray())
            .Select(r => ($"alert {r!["alert"]}", r["expr"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Every_dashboard_panel_and_every_alert_names_a_metric_the_running_services_export()
    {
        var exported = await ExportedAsync();
        // The process, HTTP and gRPC families every service has, and the business ones.
        Assert.Contains("process_cpu_seconds_total", exported);
        Assert.Contains("http_request_duration_seconds_bucket", exported);
        Assert.Contains("gomicro_checkouts_total", exported);

        var dashboard = DashboardQueries().ToList();
        Assert.True(dashboard.Count >= 20, $"{dashboard.Count} dashboard queries");
        var missing = dashboard.SelectMany(q => PromQl.MetricNames(q.Expr).Where(m => !exported.Contains(m)).Select(m => $"{q.Where}: {m}")).ToList();
        Assert.True(missing.Count == 0, "The dashboard names metrics no service exports:\n" + string.Join("\n", missing));

        var alerts = AlertQueries().ToList();
        Assert.Equal(10, alerts.Count);
        missing = [.. alerts.SelectMany(q => PromQl.MetricNames(q.Expr).Where(m => !exported.Contains(m) && !FromElsewhere.ContainsKey(m)).Select(m => $"{q.Where}: {m}"))];
        Assert.True(missing.Count == 0, "Alerts name metrics no service exports:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task The_labels_the_dashboard_groups_by_are_on_the_services_series()
    {
        await ExportedAsync();
        var text = await (await shop.Payments.GetAsync(new Uri("/metrics", UriKind.Relative))).Content.ReadAsStringAsync();
        // "per route": prometheus-net's HTTP histogram carries the route template as `endpoint`.
        Assert.Matches("http_request_duration_seconds_count\\{[^}]*endpoint=\"[^\"]+\"", text);
        Assert.Matches("gomicro_checkouts_total\\{result=\"charged\"\\}", text);
        Assert.Matches("gomicro_products_stock_released_total\\{reason=\"payment_failed\"\\}", text);
        Assert.Matches("grpc_server_handled_total\\{grpc_service=\"gomicro.payments.v1.PaymentsService\",grpc_method=\"Checkout\",grpc_code=\"OK\"\\}", text);
    }
}
