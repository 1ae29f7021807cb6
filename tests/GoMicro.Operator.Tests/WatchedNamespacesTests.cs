using GoMicro.Operator.Crd;
using k8s;

namespace GoMicro.Operator.Tests;

/// <summary>An operator installed for some namespaces only (the chart's namespaced mode).</summary>
[Collection(OperatorCollection.Name)]
public sealed class WatchedNamespacesTests(OperatorFixture cluster) : IClassFixture<OperatorFixture>
{
    [Fact]
    public async Task An_operator_told_to_watch_some_namespaces_reconciles_shops_there_and_asks_for_nothing_elsewhere()
    {
        cluster.Api.EnforceRbac(Charts.ChartRbac.Authorizer("--set", "watchNamespaces={team-a,team-c}"));
        await using var host = cluster.StartOperator("operator-a", new Dictionary<string, string?> { ["Operator:WatchNamespaces"] = "team-a, team-c" });
        await cluster.CreateShopAsync(TestShops.New("shop", "team-b"));
        await cluster.CreateShopAsync(TestShops.New("shop", "team-a"));

        await cluster.UntilAsync(async () => (await cluster.GetShopAsync("team-a", "shop"))?.Status?.ObservedGeneration == 1, "the shop in team-a reconciled");
        // Both watched namespaces are being watched: had the operator looked at team-b, it
        // would have been by now (its watches start together).
        await cluster.UntilAsync(() => Task.FromResult(Reads().Any(r => r.Contains("namespaces/team-c/gomicroshops", StringComparison.Ordinal))), "team-c watched");
        var reads = Reads(); // the operator's, and the test's own reads of team-a
        Assert.Null((await cluster.GetShopAsync("team-b", "shop"))!.Status?.ObservedGeneration);
        Assert.Empty((await cluster.Kubectl.AppsV1.ListNamespacedDeploymentAsync("team-b")).Items);

        Assert.All(reads, r => Assert.Matches("^GET /apis?/[^ ]*namespaces/team-[ac]/", r));
        Assert.Contains(reads, r => r.Contains("namespaces/team-c/gomicroshops", StringComparison.Ordinal));
        lock (cluster.Api.Forbidden)
        {
            Assert.Empty(cluster.Api.Forbidden); // Roles in team-a and team-c only were enough
        }
    }

    private List<string> Reads()
    {
        lock (cluster.Api.Requests)
        {
            return [.. cluster.Api.Requests.Where(r => r.StartsWith("GET ", StringComparison.Ordinal) && !r.Contains("/leases", StringComparison.Ordinal))];
        }
    }
}
