using k8s;
namespace GoMicro.Operator.Tests;

/// <summary>What a rollout of the operator waits for: /healthz/ready says whether it reconciles anything.</summary>
[Collection(OperatorCollection.Name)]
public sealed class OperatorReadinessTests(OperatorFixture cluster) : IClassFixture<OperatorFixture>
{
    [Fact]
    public async Task The_operator_is_unready_while_its_watches_cannot_sync_and_ready_once_they_do()
    {
        cluster.Api.Hide("gomicroshops"); // the CRD is not installed
        await using var host = cluster.StartOperator("operator-a");
        using var http = host.CreateHttpClient();
        await cluster.UntilAsync(async () => (await cluster.Kubectl.CoordinationV1.ListNamespacedLeaseAsync("gomicro-system")).Items.Any(l => l.Spec.HolderIdentity == "operator-a"), "operator-a leads");

        // Its watch of the shops has tried and failed more than once (the CRD is missing): unready.
        await cluster.UntilAsync(() => Task.FromResult(ShopListings() >= 2), "the shop watch tried twice");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/healthz/ready")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/healthz/live")).StatusCode);

        cluster.Api.Unhide("gomicroshops");

        await cluster.UntilAsync(async () => (await http.GetAsync("/healthz/ready")).IsSuccessStatusCode, "ready once the watches sync", seconds: 40);
    }

    private int ShopListings()
    {
        lock (cluster.Api.Requests)
        {
            return cluster.Api.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("/gomicroshops", StringComparison.Ordinal));
        }
    }
}
