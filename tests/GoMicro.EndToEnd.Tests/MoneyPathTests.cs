using System.Net;
using GoMicro.Events.V1;
using GoMicro.Testing;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// The money path under faults that outlast every retry budget, and under races for the last
/// item. Each test owns the whole shop: they cut the broker or switch the provider off.
/// </summary>
public sealed class MoneyPathTests : IAsyncLifetime
{
    private readonly ShopFixture _shop = new();

    public ValueTask InitializeAsync() => _shop.InitializeAsync();

    public ValueTask DisposeAsync() => _shop.DisposeAsync();

    [Fact]
    public async Task Six_buyers_for_the_last_item_make_one_charge_and_five_refusals_that_name_the_line()
    {
        var product = await _shop.CreateProductAsync(stock: 1);
        var buyers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _shop.NewCustomerAsync()));
        foreach (var buyer in buyers)
        {
            await _shop.AddToBasketAsync(buyer.Token, product, 1);
        }

        var answers = await Task.WhenAll(buyers.Select(b => _shop.CheckoutAsync(b.Token, Guid.NewGuid().ToString())));

        var paid = Assert.Single(answers, a => a.Response.StatusCode == HttpStatusCode.OK);
        Assert.Equal("PAYMENT_STATUS_SUCCEEDED", paid.Body.GetProperty("status").GetString());
        var refused = answers.Where(a => a.Response.StatusCode != HttpStatusCode.OK).ToList();
        Assert.Equal(5, refused.Count);
        Assert.All(refused, a =>
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, a.Response.StatusCode);
            Assert.Contains(product, a.Body.GetRawText(), StringComparison.Ordinal);
        });
        // Nobody was charged for what could not be delivered: one charge in the processor's ledger, no refund needed.
        Assert.Equal(1, await _shop.PaymentsDb.ScalarAsync<long>(
            $"SELECT count(*) FROM test_processor.charges c JOIN payment_lines l ON l.payment_id = c.payment_id WHERE l.product_id = '{product}'"));
        await Eventually.UntilAsync(async () => await _shop.StockAsync(product) == 0, what: "stock 0");
    }

    [Fact]
    public async Task A_charge_answered_too_late_stays_pending_and_is_settled_by_asking_the_provider()
    {
        var (_, token) = await _shop.NewCustomerAsync();
        var product = await _shop.CreateProductAsync(stock: 3);
        await _shop.AddToBasketAsync(token, product, 1);

        var (response, payment) = await _shop.CheckoutAsync(token, Guid.NewGuid().ToString(), "tok_late_answer");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = payment.GetProperty("id").GetString()!;
        Assert.Equal("PAYMENT_STATUS_PENDING", payment.GetProperty("status").GetString()); // the outcome is unknown, not a failure
        await Eventually.UntilAsync(async () => await _shop.PaymentStatusAsync(token, id) == "PAYMENT_STATUS_SUCCEEDED", seconds: 60, what: "the payment settled");
        await Eventually.UntilAsync(async () => await _shop.StockAsync(product) == 2, what: "stock 2");
        await Eventually.UntilAsync(async () => await _shop.BasketLinesAsync(token) == 0, what: "empty basket");
        Assert.Equal(1, await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges WHERE payment_id = '{id}'"));
    }

    [Fact]
    public async Task A_refund_waits_out_a_provider_outage_longer_than_every_retry_budget()
    {
        var (_, token) = await _shop.NewCustomerAsync();
        var product = await _shop.CreateProductAsync(stock: 3);
        await _shop.AddToBasketAsync(token, product, 1);
        var (_, payment) = await _shop.CheckoutAsync(token, Guid.NewGuid().ToString());
        var id = payment.GetProperty("id").GetString()!;
        Assert.Equal("PAYMENT_STATUS_SUCCEEDED", payment.GetProperty("status").GetString());

        _shop.ProviderDown();
        await _shop.Events.PublishAsync(new StockReservationFailed
        {
            PaymentId = id,
            ShortLines = { new StockReservationFailed.Types.ShortLine { ProductId = product, Wanted = 1, Available = 0 } },
        });
        // The outage lasts until the refund worker has failed four times in a row, each time
        // after the provider's own retries, the last after a back-off of a second. Its failures
        // are logged with the reason, which names this shop's outage switch.
        await Eventually.UntilAsync(async () => await _shop.PaymentStatusAsync(token, id) == "PAYMENT_STATUS_REFUND_PENDING", what: "the refund pending");
        await Eventually.UntilAsync(() => Task.FromResult(CapturedLogs.All.Any(line =>
            line.Contains("\"Worker\":\"RefundWorker\"", StringComparison.Ordinal)
            && line.Contains("\"Failures\":4,", StringComparison.Ordinal)
            && line.Contains(_shop.ProviderOutageFile, StringComparison.Ordinal))), seconds: 60, what: "the refund failed four times in a row");
        Assert.Equal(0, await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges WHERE payment_id = '{id}' AND refunded_at IS NOT NULL"));
        _shop.ProviderUp();

        await Eventually.UntilAsync(async () => await _shop.PaymentStatusAsync(token, id) == "PAYMENT_STATUS_REFUNDED", seconds: 60, what: "the refund");
        Assert.Equal(1, await _shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges WHERE payment_id = '{id}' AND refunded_at IS NOT NULL"));
        Assert.Equal(0u, await _shop.Events.MessageCountAsync("payments.dead-letter"));
    }

    [Fact]
    public async Task A_line_put_back_after_paying_survives_the_late_PaymentSucceeded()
    {
        var (_, token) = await _shop.NewCustomerAsync();
        var again = await _shop.CreateProductAsync(stock: 10);
        var once = await _shop.CreateProductAsync(stock: 10);
        await _shop.AddToBasketAsync(token, again, 1);
        await _shop.AddToBasketAsync(token, once, 1);

        _shop.BrokerProxy.Cut(); // PaymentSucceeded waits in the outbox, as it does under load for seconds
        var (response, payment) = await _shop.CheckoutAsync(token, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("PAYMENT_STATUS_SUCCEEDED", payment.GetProperty("status").GetString());
        await _shop.AddToBasketAsync(token, again, 1); // the customer wants another one
        _shop.BrokerProxy.Restore();

        await Eventually.UntilAsync(async () => !(await BasketProductsAsync(token)).Contains(once), seconds: 60, what: "the paid line cleared");
        Assert.Equal([again], await BasketProductsAsync(token));
    }

    [Fact]
    public async Task A_broker_outage_leaves_every_service_ready_and_checkout_working()
    {
        var (_, token) = await _shop.NewCustomerAsync();
        var product = await _shop.CreateProductAsync(stock: 3);
        await _shop.AddToBasketAsync(token, product, 1);

        _shop.BrokerProxy.Cut();
        await Eventually.UntilAsync(async () => !await HealthyAsync(_shop.Products, "/healthz"), what: "the broker reported down");
        foreach (var service in new[] { "products", "basket", "payments" })
        {
            var (ready, body) = await ShopFixture.SendAsync(_shop.ClientFor(service), HttpMethod.Get, "/healthz/ready", null);
            Assert.True(ready.StatusCode == HttpStatusCode.OK, $"{service} not ready during a broker outage: {body}");
        }
        var (response, payment) = await _shop.CheckoutAsync(token, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("PAYMENT_STATUS_SUCCEEDED", payment.GetProperty("status").GetString());

        _shop.BrokerProxy.Restore();
        await Eventually.UntilAsync(async () => await HealthyAsync(_shop.Products, "/healthz"), seconds: 60, what: "the broker reported back");
    }

    private static async Task<bool> HealthyAsync(HttpClient client, string path) =>
        (await ShopFixture.SendAsync(client, HttpMethod.Get, path, null)).Response.StatusCode == HttpStatusCode.OK;

    private async Task<List<string>> BasketProductsAsync(string token)
    {
        var (_, basket) = await ShopFixture.SendAsync(_shop.Basket, HttpMethod.Get, "/basket", token);
        return basket.TryGetProperty("lines", out var lines)
            ? [.. lines.EnumerateArray().Select(l => l.GetProperty("productId").GetString()!)]
            : [];
    }
}
