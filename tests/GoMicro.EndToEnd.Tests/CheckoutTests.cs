using System.Net;
using GoMicro.Testing;

namespace GoMicro.EndToEnd.Tests;

public sealed class CheckoutTests(ShopFixture shop) : IClassFixture<ShopFixture>
{
    [Fact]
    public async Task Happy_path_pays_decrements_stock_and_empties_the_basket()
    {
        var (userId, token) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 3, priceCents: 2500);
        await shop.AddToBasketAsync(token, product, 2);

        var (response, payment) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("PAYMENT_STATUS_SUCCEEDED", payment.GetProperty("status").GetString());
        Assert.Equal(5000, payment.GetProperty("amount").GetProperty("amountCents").GetInt64());
        Assert.Equal(userId, payment.GetProperty("userId").GetString());
        await Eventually.UntilAsync(async () => await shop.StockAsync(product) == 1, what: "stock 1");
        await Eventually.UntilAsync(async () => await shop.BasketLinesAsync(token) == 0, what: "empty basket");
        var id = payment.GetProperty("id").GetString()!;
        Assert.Equal("PAYMENT_STATUS_SUCCEEDED", await shop.PaymentStatusAsync(token, id));
        var (_, list) = await ShopFixture.SendAsync(shop.Payments, HttpMethod.Get, "/payments", token);
        Assert.Equal(id, list.GetProperty("payments")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_declined_card_changes_neither_stock_nor_basket()
    {
        var (_, token) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 3);
        await shop.AddToBasketAsync(token, product, 1);

        var (response, payment) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString(), "tok_declined");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("PAYMENT_STATUS_DECLINED", payment.GetProperty("status").GetString());
        Assert.Equal("card_declined", payment.GetProperty("reason").GetString());
        var id = payment.GetProperty("id").GetString();
        await Eventually.UntilAsync(async () =>
            await shop.ProductsDb.ScalarAsync<string>($"SELECT state FROM stock_reservations WHERE payment_id = '{id}'") == "Released", what: "the reservation released");
        Assert.Equal(3, await shop.StockAsync(product));
        Assert.Equal(1, await shop.BasketLinesAsync(token));
        Assert.Equal(0, await shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges WHERE payment_id = '{payment.GetProperty("id").GetString()}'"));
    }

    [Fact]
    public async Task The_same_key_sent_ten_times_at_once_makes_one_payment_one_charge_one_decrement()
    {
        var (_, token) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 10);
        await shop.AddToBasketAsync(token, product, 2);
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => shop.CheckoutAsync(token, key)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Response.StatusCode));
        var ids = answers.Select(a => a.Body.GetProperty("id").GetString()).Distinct().ToList();
        var id = Assert.Single(ids);
        Assert.All(answers, a => Assert.Equal("PAYMENT_STATUS_SUCCEEDED", a.Body.GetProperty("status").GetString()));
        Assert.Equal(1, await shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM payments WHERE idempotency_key = '{key}'"));
        Assert.Equal(1, await shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges WHERE payment_id = '{id}'"));
        Assert.Equal(8, await shop.StockAsync(product)); // reserved once, before the charge
        await Eventually.UntilAsync(async () =>
            await shop.ProductsDb.ScalarAsync<string>($"SELECT state FROM stock_reservations WHERE payment_id = '{id}'") == "Committed", what: "the reservation committed");
        Assert.Equal(1, await shop.ProductsDb.ScalarAsync<long>($"SELECT count(*) FROM stock_reservation_lines l JOIN stock_reservations r USING (payment_id) WHERE l.product_id = '{product}'"));
        Assert.Equal(8, await shop.StockAsync(product));
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_is_422_and_without_a_key_400()
    {
        var (_, token) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 5);
        await shop.AddToBasketAsync(token, product, 1);
        var key = Guid.NewGuid().ToString();

        var (first, _) = await shop.CheckoutAsync(token, key, "tok_declined");
        var (other, body) = await shop.CheckoutAsync(token, key, "tok_visa");
        var (none, _) = await ShopFixture.SendAsync(shop.Payments, HttpMethod.Post, "/payments", token, new { paymentMethod = "tok_visa" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal((HttpStatusCode)422, other.StatusCode);
        Assert.Contains("Idempotency-Key", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
    }

    [Fact]
    public async Task An_empty_basket_or_an_unavailable_line_is_refused_with_412_before_charging()
    {
        var (_, token) = await shop.NewCustomerAsync();
        var (empty, _) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, empty.StatusCode);

        var product = await shop.CreateProductAsync(stock: 1);
        await shop.AddToBasketAsync(token, product, 1);
        var admin = await shop.AdminTokenAsync();
        await ShopFixture.SendAsync(shop.Products, HttpMethod.Delete, $"/products/{product}", admin);
        var (gone, body) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, gone.StatusCode);
        Assert.Contains(product, body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await shop.PaymentsDb.ScalarAsync<long>("SELECT count(*) FROM payments p JOIN payment_lines l ON l.payment_id = p.id WHERE l.product_id = '" + product + "'"));
    }

    [Fact]
    public async Task A_processor_error_is_retried_and_the_payment_succeeds()
    {
        var (_, token) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 5);
        await shop.AddToBasketAsync(token, product, 1);

        var (_, payment) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString(), "tok_processor_error");

        Assert.Equal("PAYMENT_STATUS_SUCCEEDED", payment.GetProperty("status").GetString());
        await Eventually.UntilAsync(async () => await shop.BasketLinesAsync(token) == 0, what: "empty basket");
        Assert.Equal(4, await shop.StockAsync(product));
        Assert.Equal(1, await shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges WHERE payment_id = '{payment.GetProperty("id").GetString()}'"));
    }

    [Fact]
    public async Task A_processor_that_is_down_fails_the_payment_charges_nothing_and_gives_the_stock_back()
    {
        var (_, token) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 5);
        await shop.AddToBasketAsync(token, product, 1);

        var (_, payment) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString(), "tok_processor_down");

        Assert.Equal("PAYMENT_STATUS_FAILED", payment.GetProperty("status").GetString());
        Assert.Equal(1, await shop.BasketLinesAsync(token));
        await Eventually.UntilAsync(async () => await shop.StockAsync(product) == 5, what: "the failed payment's stock back");
        Assert.Equal(0, await shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges WHERE payment_id = '{payment.GetProperty("id").GetString()}'"));
    }

    [Fact]
    public async Task A_processor_that_never_answers_leaves_the_payment_pending_until_recovery_finds_no_charge_and_fails_it()
    {
        var (_, token) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 5);
        await shop.AddToBasketAsync(token, product, 1);

        // tok_slow: every attempt times out, so checkout cannot know whether it charged.
        var (_, payment) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString(), "tok_slow");

        Assert.Equal("PAYMENT_STATUS_PENDING", payment.GetProperty("status").GetString());
        var id = payment.GetProperty("id").GetString()!;
        Assert.Equal("PAYMENT_STATUS_PENDING", await shop.PaymentStatusAsync(token, id));
        Assert.Equal(4, await shop.StockAsync(product)); // held while the outcome is unknown
        // Recovery asks the processor, which has no charge: Failed, the stock back, the basket as it was.
        await Eventually.UntilAsync(async () => await shop.PaymentStatusAsync(token, id) == "PAYMENT_STATUS_FAILED", seconds: 60, what: "the pending payment settled");
        await Eventually.UntilAsync(async () => await shop.StockAsync(product) == 5, what: "its stock back");
        Assert.Equal(1, await shop.BasketLinesAsync(token));
        Assert.Equal(0, await shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges WHERE payment_id = '{id}'"));
    }

    [Fact]
    public async Task Another_customer_cannot_see_a_payment_or_basket()
    {
        var a = await shop.NewCustomerAsync();
        var b = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 5);
        await shop.AddToBasketAsync(a.Token, product, 1);
        var (_, payment) = await shop.CheckoutAsync(a.Token, Guid.NewGuid().ToString(), "tok_declined");
        var id = payment.GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.NotFound, (await ShopFixture.SendAsync(shop.Payments, HttpMethod.Get, $"/payments/{id}", b.Token)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ShopFixture.SendAsync(shop.Payments, HttpMethod.Get, $"/payments/{Guid.NewGuid()}", b.Token)).Response.StatusCode);
        var (_, list) = await ShopFixture.SendAsync(shop.Payments, HttpMethod.Get, "/payments", b.Token);
        Assert.Equal(0, list.TryGetProperty("payments", out var payments) ? payments.GetArrayLength() : 0);
        Assert.Equal(0, await shop.BasketLinesAsync(b.Token));
        Assert.Equal(1, await shop.BasketLinesAsync(a.Token));
        Assert.Equal(HttpStatusCode.OK, (await ShopFixture.SendAsync(shop.Payments, HttpMethod.Get, $"/payments/{id}", await shop.AdminTokenAsync())).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ShopFixture.SendAsync(shop.Payments, HttpMethod.Get, $"/payments/{id}", null)).Response.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task One_trace_follows_a_checkout_from_http_through_rabbitmq_to_the_stock_change(bool sampled)
    {
        var (_, token) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 5);
        await shop.AddToBasketAsync(token, product, 1);
        // The client's own trace: HttpClient sends it as the W3C traceparent header.
        using var client = new System.Diagnostics.Activity("e2e-client").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C);
        client.ActivityTraceFlags = sampled ? System.Diagnostics.ActivityTraceFlags.Recorded : System.Diagnostics.ActivityTraceFlags.None;
        client.Start();
        var traceId = client.TraceId.ToHexString();

        var (response, payment) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString());
        client.Stop();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paymentId = payment.GetProperty("id").GetString();

        // payments' outbox event carries the caller's trace...
        await Eventually.UntilAsync(() => Task.FromResult(shop.Events.SeenWithTrace<Events.V1.PaymentSucceeded>().Any(e => e.Event.PaymentId == paymentId)), what: "PaymentSucceeded");
        var published = shop.Events.SeenWithTrace<Events.V1.PaymentSucceeded>().Single(e => e.Event.PaymentId == paymentId).TraceParent;
        Assert.True(published?.Contains(traceId, StringComparison.Ordinal) == true, $"PaymentSucceeded traceparent {published}, client trace {traceId}");
        // ...and products, consuming it, publishes the stock change in the same trace.
        await Eventually.UntilAsync(() => Task.FromResult(shop.Events.SeenWithTrace<Events.V1.StockChanged>().Any(e => e.Event.ProductId == product && e.Event.Stock == 4)), what: "StockChanged");
        var changed = shop.Events.SeenWithTrace<Events.V1.StockChanged>().Single(e => e.Event.ProductId == product && e.Event.Stock == 4).TraceParent;
        Assert.True(changed?.Contains(traceId, StringComparison.Ordinal) == true, $"StockChanged traceparent {changed}, client trace {traceId}");
    }
}
