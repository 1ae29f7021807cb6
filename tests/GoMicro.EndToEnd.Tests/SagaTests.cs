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
        var ours = $"p.id IN (SELECT payment_id FROM payment_lines WHERE product_id = '{product}')";
        await Eventually.UntilAsync(async () =>
            await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM payments p WHERE status = 'Refunded' AND {ours}") == charged.Count - 5,
            seconds: 60, what: "refunds of the surplus");

        Assert.Equal(0, await _shop.StockAsync(product));
        Assert.Equal(5, await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM payments p WHERE status = 'Succeeded' AND {ours}"));
        Assert.Equal(15, refused + await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM payments p WHERE status = 'Refunded' AND {ours}"));
        Assert.Equal(charged.Count, await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor_charges c JOIN payments p ON p.id = c.payment_id WHERE {ours}"));
        Assert.Equal(0, await _shop.PaymentsDb.ScalarAsync<long>(
            $"SELECT count(*) FROM payments p LEFT JOIN test_processor_charges c ON c.payment_id = p.id WHERE p.status = 'Refunded' AND {ours} AND (c.refunded_at IS NULL OR c.reference <> p.provider_reference)"));
        Assert.Equal(5, await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor_charges c JOIN payments p ON p.id = c.payment_id WHERE c.refunded_at IS NULL AND {ours}"));
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

        var consumedBefore = await _shop.ProductsDb.ScalarAsync<long>("SELECT count(*) FROM inbox_messages WHERE type = 'gomicro.events.v1.PaymentSucceeded'");
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
        Assert.Equal(10, await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM payments p WHERE status = 'Succeeded' AND p.id IN (SELECT payment_id FROM payment_lines WHERE product_id = '{product}')"));
        Assert.Equal(0, await _shop.PaymentsDb.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"));
        Assert.Equal(consumedBefore + 10, await _shop.ProductsDb.ScalarAsync<long>("SELECT count(*) FROM inbox_messages WHERE type = 'gomicro.events.v1.PaymentSucceeded'"));
    }

    [Fact]
    public async Task A_payment_left_pending_by_a_crashed_replica_is_finished_and_its_event_published()
    {
        // What a payments replica leaves behind when it dies after claiming the idempotency key
        // and before recording the charge: a Pending row (with its lines), nothing charged.
        var (userId, token) = await _shop.NewCustomerAsync();
        var product = await _shop.CreateProductAsync(stock: 4, priceCents: 1500);
        await _shop.AddToBasketAsync(token, product, 3);
        var paymentId = Guid.CreateVersion7();
        await _shop.PaymentsDb.ExecuteAsync($"""
            INSERT INTO payments (id, user_id, idempotency_key, request_hash, payment_method, status, amount_cents, currency, created_at, updated_at)
            VALUES ('{paymentId}', '{userId}', 'crashed-checkout', 'x', 'tok_visa', 'Pending', 4500, 'EUR', now() - interval '1 hour', now() - interval '1 hour');
            INSERT INTO payment_lines (payment_id, product_id, name, quantity, unit_price_cents) VALUES ('{paymentId}', '{product}', 'E2E', 3, 1500);
            """);

        await Eventually.UntilAsync(async () => await _shop.PaymentStatusAsync(token, paymentId.ToString()) == "PAYMENT_STATUS_SUCCEEDED", what: "the payment finished");
        await Eventually.UntilAsync(async () => await _shop.StockAsync(product) == 1, what: "stock 1");
        await Eventually.UntilAsync(async () => await _shop.BasketLinesAsync(token) == 0, what: "empty basket");
        Assert.Equal(1, await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor_charges WHERE payment_id = '{paymentId}'"));
    }
}
