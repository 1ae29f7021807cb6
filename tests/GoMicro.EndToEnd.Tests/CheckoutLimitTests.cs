using System.Globalization;
using System.Net;

namespace GoMicro.EndToEnd.Tests;

/// <summary>Checkout's limits: a total too large to charge is refused before anything is stored, reserved or charged; over-long inputs are 400.</summary>
public sealed class CheckoutLimitTests(ShopFixture shop) : IClassFixture<ShopFixture>
{
    private const long MaxPriceCents = 100_000_000;
    private const long MaxTotalCents = 10_000_000_000;

    [Fact]
    public async Task A_basket_whose_total_passes_the_maximum_is_412_before_anything_is_reserved_or_charged()
    {
        var (_, token) = await shop.NewCustomerAsync();
        var first = await shop.CreateProductAsync(stock: 100, priceCents: 1000);
        var second = await shop.CreateProductAsync(stock: 100, priceCents: 1000);
        await shop.AddToBasketAsync(token, first, 99);
        await shop.AddToBasketAsync(token, second, 99);
        // Both prices then rise to the largest a product may have: 2 × 99 × 1,000,000.00 is more than one payment may be.
        await SetPriceAsync(first, MaxPriceCents);
        await SetPriceAsync(second, MaxPriceCents);

        var (response, body) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var message = body.GetProperty("message").GetString()!;
        Assert.StartsWith("basket:", message, StringComparison.Ordinal);
        Assert.Contains(MaxTotalCents.ToString(CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
        await AssertNothingHappenedAsync(first, 100);
        await AssertNothingHappenedAsync(second, 100);
    }

    [Fact]
    public async Task A_price_whose_line_total_overflows_is_412_not_a_500_and_nothing_is_charged()
    {
        var (_, token) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 10, priceCents: 1000);
        await shop.AddToBasketAsync(token, product, 2);
        // A price stored before products had a maximum: 2^62, so that two of them overflow a long.
        await shop.ProductsDb.ExecuteAsync($"UPDATE products SET price_cents = {1L << 62} WHERE id = '{product}'");

        var (response, body) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Contains(product, body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(MaxTotalCents.ToString(CultureInfo.InvariantCulture), body.GetProperty("message").GetString(), StringComparison.Ordinal);
        await AssertNothingHappenedAsync(product, 10);
    }

    [Fact]
    public async Task A_price_in_a_withdrawn_currency_is_412_naming_it_and_nothing_is_charged()
    {
        var (_, token) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 10, priceCents: 1000);
        await shop.AddToBasketAsync(token, product, 1);
        // A price stored before ZWL was withdrawn (products no longer accepts it in a write).
        await shop.ProductsDb.ExecuteAsync($"UPDATE products SET currency = 'ZWL' WHERE id = '{product}'");

        var (response, body) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Contains("'ZWL'", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        await AssertNothingHappenedAsync(product, 10);
    }

    [Fact]
    public async Task An_over_long_payment_method_or_idempotency_key_is_400_naming_it_and_its_limit()
    {
        var (_, token) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 5);
        await shop.AddToBasketAsync(token, product, 1);

        var (method, methodBody) = await shop.CheckoutAsync(token, Guid.NewGuid().ToString(), "tok_" + new string('x', 97));
        Assert.Equal(HttpStatusCode.BadRequest, method.StatusCode);
        Assert.StartsWith("payment_method: must be at most 100 characters", methodBody.GetProperty("message").GetString(), StringComparison.Ordinal);

        var (key, keyBody) = await shop.CheckoutAsync(token, new string('k', 101));
        Assert.Equal(HttpStatusCode.BadRequest, key.StatusCode);
        Assert.StartsWith("Idempotency-Key:", keyBody.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("100", keyBody.GetProperty("message").GetString(), StringComparison.Ordinal);

        var (fine, _) = await shop.CheckoutAsync(token, new string('k', 100));
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }

    private async Task SetPriceAsync(string productId, long priceCents)
    {
        var admin = await shop.AdminTokenAsync();
        var (_, product) = await ShopFixture.SendAsync(shop.Products, HttpMethod.Get, $"/products/{productId}", null);
        var (updated, _) = await ShopFixture.SendAsync(shop.Products, HttpMethod.Put, $"/products/{productId}", admin, new
        {
            name = product.GetProperty("name").GetString(),
            price = new { amountCents = priceCents, currency = "EUR" },
            stock = product.GetProperty("stock").GetInt32(),
            version = product.GetProperty("version").GetUInt32(),
        });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
    }

    /// <summary>No payment line, no charge, no reservation: the stock is what it was.</summary>
    private async Task AssertNothingHappenedAsync(string productId, int stock)
    {
        Assert.Equal(0, await shop.PaymentsDb.ScalarAsync<long>($"SELECT count(*) FROM payment_lines WHERE product_id = '{productId}'"));
        Assert.Equal(0, await shop.ProductsDb.ScalarAsync<long>($"SELECT count(*) FROM stock_reservation_lines WHERE product_id = '{productId}'"));
        Assert.Equal(stock, await shop.StockAsync(productId));
    }
}
