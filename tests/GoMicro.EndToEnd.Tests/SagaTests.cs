using System.Net;
using GoMicro.Testing;

namespace GoMicro.EndToEnd.Tests;

/// <summary>Each test owns the whole shop: they stop the broker or race for the last items.</summary>
public sealed class SagaTests : IAsyncLifetime
{
    private readonly ShopFixture _shop = new();

    public ValueTask InitializeAsync() => _shop.InitializeAsync();

    public ValueTask DisposeAsync() => _shop.DisposeAsync();

    [Fact]
    public async Task Twenty_buyers_for_five_items_never_oversell_and_every_refund_matches_a_charge()
    {
        var product = await _shop.CreateProductAsync(stock: 5);
        var buyers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _shop.NewCustomerAsync()));
        foreach (var buyer in buyers)
        {
            await _shop.AddToBasketAsync(buyer.Token, product, 1);
        }

        var answers = await Task.WhenAll(buyers.Select(b => _shop.CheckoutAsync(b.Token, Guid.NewGuid().ToString())));

        var charged = answers.Where(a => a.Response.StatusCode == HttpStatusCode.OK).Select(a => a.Body.GetProperty("id").GetString()!).ToList();
        var refused = answers.Count(a => a.Response.StatusCode == HttpStatusCode.PreconditionFailed);
        Assert.Equal(20, charged.Count + refused);
        await Eventually.UntilAsync(async () =>
            await _shop.PaymentsDb.ScalarAsync<long>("SELECT count(*) FROM payments WHERE status = 'Refunded'") == charged.Count - 5,
            seconds: 60, what: "refunds of the surplus");

        Assert.Equal(0, await _shop.StockAsync(product));
        Assert.Equal(5, await _shop.PaymentsDb.ScalarAsync<long>("SELECT count(*) FROM payments WHERE status = 'Succeeded'"));
        Assert.Equal(15, refused + await _shop.PaymentsDb.ScalarAsync<long>("SELECT count(*) FROM payments WHERE status = 'Refunded'"));
        Assert.Equal(charged.Count, await _shop.PaymentsDb.ScalarAsync<long>("SELECT count(*) FROM test_processor_charges"));
        Assert.Equal(0, await _shop.PaymentsDb.ScalarAsync<long>(
            "SELECT count(*) FROM payments p LEFT JOIN test_processor_charges c ON c.payment_id = p.id WHERE p.status = 'Refunded' AND (c.refunded_at IS NULL OR c.reference <> p.provider_reference)"));
        Assert.Equal(5, await _shop.PaymentsDb.ScalarAsync<long>("SELECT count(*) FROM test_processor_charges WHERE refunded_at IS NULL"));
        Assert.Equal(0, await _shop.ProductsDb.ScalarAsync<long>("SELECT count(*) FROM products WHERE stock < 0"));
    }

    [Fact]
    public async Task Checkouts_during_a_broker_outage_converge_when_it_returns()
    {
        var product = await _shop.CreateProductAsync(stock: 20);
        var buyers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _shop.NewCustomerAsync()));
        foreach (var buyer in buyers)
        {
            await _shop.AddToBasketAsync(buyer.Token, product, 1);
        }

        _shop.BrokerProxy.Cut();
        foreach (var buyer in buyers)
        {
            var (response, payment) = await _shop.CheckoutAsync(buyer.Token, Guid.NewGuid().ToString());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("PAYMENT_STATUS_SUCCEEDED", payment.GetProperty("status").GetString());
        }
        await Task.Delay(2000);
        Assert.Equal(20, await _shop.StockAsync(product)); // nothing could travel yet
        Assert.Equal(10, await _shop.PaymentsDb.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL AND type = 'gomicro.events.v1.PaymentSucceeded'"));

        _shop.BrokerProxy.Restore();
        await Eventually.UntilAsync(async () => await _shop.StockAsync(product) == 10, seconds: 90, what: "stock 10");
        foreach (var buyer in buyers)
        {
            await Eventually.UntilAsync(async () => await _shop.BasketLinesAsync(buyer.Token) == 0, seconds: 30, what: "empty basket");
        }
        await Task.Delay(1500);
        Assert.Equal(10, await _shop.StockAsync(product));
        Assert.Equal(10, await _shop.PaymentsDb.ScalarAsync<long>("SELECT count(*) FROM payments WHERE status = 'Succeeded'"));
        Assert.Equal(0, await _shop.PaymentsDb.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"));
        Assert.Equal(10, await _shop.ProductsDb.ScalarAsync<long>("SELECT count(*) FROM inbox_messages WHERE type = 'gomicro.events.v1.PaymentSucceeded'"));
    }
}
