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
    public async Task Twenty_buyers_for_five_items_never_oversell_and_nobody_is_charged_for_what_is_gone()
    {
        var product = await _shop.CreateProductAsync(stock: 5);
        var buyers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _shop.NewCustomerAsync()));
        foreach (var buyer in buyers)
        {
            await _shop.AddToBasketAsync(buyer.Token, product, 1);
        }

        var answers = await Task.WhenAll(buyers.Select(b => _shop.CheckoutAsync(b.Token, Guid.NewGuid().ToString())));

        Assert.Equal(5, answers.Count(a => a.Response.StatusCode == HttpStatusCode.OK && a.Body.GetProperty("status").GetString() == "PAYMENT_STATUS_SUCCEEDED"));
        Assert.Equal(15, answers.Count(a => a.Response.StatusCode == HttpStatusCode.PreconditionFailed));
        var ours = $"p.id IN (SELECT payment_id FROM payment_lines WHERE product_id = '{product}')";
        Assert.Equal(5, await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges c JOIN payments p ON p.id = c.payment_id WHERE {ours}"));
        Assert.Equal(0, await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges c JOIN payments p ON p.id = c.payment_id WHERE c.refunded_at IS NOT NULL AND {ours}"));
        Assert.Equal(0, await _shop.StockAsync(product));
        await Eventually.UntilAsync(async () =>
            await _shop.ProductsDb.ScalarAsync<long>($"SELECT count(*) FROM stock_reservations r JOIN stock_reservation_lines l USING (payment_id) WHERE r.state = 'Committed' AND l.product_id = '{product}'") == 5,
            what: "five reservations committed");
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
        // The stock was reserved synchronously; the events that commit it wait in the outbox.
        Assert.Equal(10, await _shop.StockAsync(product));
        Assert.Equal(10, await _shop.PaymentsDb.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL AND type = 'gomicro.events.v1.PaymentSucceeded'"));
        Assert.Equal(1, await _shop.BasketLinesAsync(buyers[0].Token));

        _shop.BrokerProxy.Restore();
        foreach (var buyer in buyers)
        {
            await Eventually.UntilAsync(async () => await _shop.BasketLinesAsync(buyer.Token) == 0, seconds: 90, what: "empty basket");
        }
        await Eventually.UntilAsync(async () => await _shop.ProductsDb.ScalarAsync<long>("SELECT count(*) FROM inbox_messages WHERE type = 'gomicro.events.v1.PaymentSucceeded'") == consumedBefore + 10,
            what: "every PaymentSucceeded handled by products");
        Assert.Equal(10, await _shop.StockAsync(product));
        Assert.Equal(10, await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM payments p WHERE status = 'Succeeded' AND p.id IN (SELECT payment_id FROM payment_lines WHERE product_id = '{product}')"));
        Assert.Equal(0, await _shop.PaymentsDb.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"));
        Assert.Equal(10, await _shop.ProductsDb.ScalarAsync<long>(
            $"SELECT count(*) FROM stock_reservations r JOIN stock_reservation_lines l USING (payment_id) WHERE r.state = 'Committed' AND l.product_id = '{product}'"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_payment_left_pending_by_a_crashed_replica_is_settled_by_what_the_provider_says(bool charged)
    {
        // What a payments replica leaves behind when it dies after claiming the idempotency key:
        // a Pending row with its lines, and either a charge at the provider or none.
        var (userId, token) = await _shop.NewCustomerAsync();
        var product = await _shop.CreateProductAsync(stock: 4, priceCents: 1500);
        await _shop.AddToBasketAsync(token, product, 3);
        var paymentId = Guid.CreateVersion7();
        await _shop.PaymentsDb.ExecuteAsync($"""
            INSERT INTO payments (id, user_id, idempotency_key, request_hash, payment_method, status, amount_cents, currency, basket_version, created_at, updated_at)
            VALUES ('{paymentId}', '{userId}', 'crashed-checkout', 'x', 'tok_visa', 'Pending', 4500, 'EUR', 1000000, now() - interval '1 hour', now() - interval '1 hour');
            INSERT INTO payment_lines (payment_id, product_id, name, quantity, unit_price_cents) VALUES ('{paymentId}', '{product}', 'E2E', 3, 1500);
            """);
        if (charged)
        {
            await _shop.PaymentsDb.ExecuteAsync($"""
                INSERT INTO test_processor.charges (reference, payment_id, amount_cents, currency, charged_at) VALUES ('ch_crashed_{paymentId:N}', '{paymentId}', 4500, 'EUR', now());
                """);
        }

        var expected = charged ? "PAYMENT_STATUS_SUCCEEDED" : "PAYMENT_STATUS_FAILED";
        await Eventually.UntilAsync(async () => await _shop.PaymentStatusAsync(token, paymentId.ToString()) == expected, what: "the payment settled");
        if (charged)
        {
            await Eventually.UntilAsync(async () => await _shop.StockAsync(product) == 1, what: "stock 1");
            await Eventually.UntilAsync(async () => await _shop.BasketLinesAsync(token) == 0, what: "empty basket");
        }
        else
        {
            await Eventually.UntilAsync(async () => await _shop.ProductsDb.ScalarAsync<long>($"SELECT count(*) FROM inbox_messages WHERE type = 'gomicro.events.v1.PaymentFailed'") >= 1,
                what: "PaymentFailed handled");
            Assert.Equal(4, await _shop.StockAsync(product));
            Assert.Equal(1, await _shop.BasketLinesAsync(token));
        }
        Assert.Equal(charged ? 1 : 0, await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges WHERE payment_id = '{paymentId}'"));
    }
}
