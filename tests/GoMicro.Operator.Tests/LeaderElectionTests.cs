using k8s;
using GoMicro.Operator.Crd;

namespace GoMicro.Operator.Tests;

[Collection(OperatorCollection.Name)]
public sealed class LeaderElectionTests(OperatorFixture cluster) : IClassFixture<OperatorFixture>
{
    [Fact]
    public async Task Of_two_operators_only_the_lease_holder_reconciles_and_the_other_takes_over_when_it_goes()
    {
        var a = cluster.StartOperator("operator-a");
        await cluster.UntilAsync(async () => (await Holder()) == "operator-a", "operator-a holds the lease");
        var b = cluster.StartOperator("operator-b");
        using var httpA = a.CreateHttpClient();
        using var httpB = b.CreateHttpClient();

        await cluster.CreateShopAsync(TestShops.New("first", "leader"));
        await cluster.UntilAsync(async () => (await cluster.GetShopAsync("leader", "first"))?.Status?.ObservedGeneration == 1, "first shop reconciled");
        Assert.Equal("operator-a", await Holder());
        Assert.Equal(["operator-a"], await Reporters("first"));
        // Both operators share this test process's metrics registry, so only the leader's view is asserted.
        Assert.Contains("gomicro_operator_leader 1", await httpA.GetStringAsync("/metrics"), StringComparison.Ordinal);
        Assert.Contains("gomicro_operator_reconciliations_total{result=\"success\"}", await httpA.GetStringAsync("/metrics"), StringComparison.Ordinal);
        // The standby is ready once it has read the lease and knows who leads.
        await cluster.UntilAsync(async () => (await httpB.GetAsync("/healthz/ready")).IsSuccessStatusCode, "the standby ready");

        await a.DisposeAsync(); // the leader goes away without handing over; its lease runs out (3 s here)

        await cluster.UntilAsync(async () => (await Holder()) == "operator-b", "operator-b takes the lease", seconds: 30);
        await cluster.CreateShopAsync(TestShops.New("second", "leader"));
        await cluster.UntilAsync(async () => (await cluster.GetShopAsync("leader", "second"))?.Status?.ObservedGeneration == 1, "second shop reconciled by operator-b");
        Assert.Equal(["operator-b"], await Reporters("second"));
        Assert.Equal(["operator-a"], await Reporters("first"));
    }

    /// <summary>Which operator instances wrote events about a shop: the ones that reconciled it.</summary>
    private async Task<IEnumerable<string>> Reporters(string shop) =>
        (await cluster.Kubectl.EventsV1.ListNamespacedEventAsync("leader")).Items
            .Where(e => e.Regarding.Name == shop).Select(e => e.ReportingInstance).Distinct().Order();

    private async Task<string?> Holder()
    {
        try
        {
            return (await cluster.Kubectl.CoordinationV1.ReadNamespacedLeaseAsync("gomicro-operator", "gomicro-system")).Spec.HolderIdentity;
        }
        catch (k8s.Autorest.HttpOperationException)
        {
            return null;
        }
    }
}
