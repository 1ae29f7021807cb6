using System.Net;
using GoMicro.Basket.ProductInfo;
using GoMicro.Basket.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace GoMicro.Basket.Tests;

/// <summary>Line totals and the basket total are exact or refused: never wrapped round, never a 500.</summary>
public sealed class BasketTotalTests(BasketFixture fixture) : IClassFixture<BasketFixture>
{
    private const long MaxPriceCents = 100_000_000;        // products' maximum unit price
    private const long MaxTotalCents = 10_000_000_000;     // the most one basket (one payment) may come to

    [Fact]
    public async Task Adding_what_would_take_the_total_past_the_maximum_is_412_naming_the_limit()
    {
        var (_, token, auth) = fixture.NewCustomer();
        var first = await fixture.CreateProductAsync(stock: 200, priceCents: MaxPriceCents);
        var second = await fixture.CreateProductAsync(stock: 200, priceCents: MaxPriceCents);
        var basket = await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = first.Id, Quantity = 99 }, auth);
        Assert.Equal(99 * MaxPriceCents, basket.Total.AmountCents);

        var (response, body) = await fixture.SendAsync(HttpMethod.Post, "/basket", token, new { productId = second.Id, quantity = 99 });

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var message = body.GetProperty("message").GetString()!;
        Assert.StartsWith("quantity:", message, StringComparison.Ordinal);
        Assert.Contains(MaxTotalCents.ToString(System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
        var after = await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth);
        Assert.Equal([first.Id], after.Lines.Select(l => l.ProductId));
        Assert.Equal(99 * MaxPriceCents, after.Total.AmountCents);

        // What still fits is fine.
        basket = await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = second.Id, Quantity = 1 }, auth);
        Assert.Equal(100 * MaxPriceCents, basket.Total.AmountCents);
    }

    [Fact]
    public async Task A_price_whose_line_total_would_overflow_is_refused_and_never_shown_as_a_wrapped_total()
    {
        var (_, token, auth) = fixture.NewCustomer();
        var cheap = await fixture.CreateProductAsync(stock: 10, priceCents: 1000);
        var legacy = await fixture.CreateProductAsync(stock: 10, priceCents: 1000);
        await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = cheap.Id, Quantity = 1 }, auth);
        await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = legacy.Id, Quantity = 2 }, auth);
        // A price stored before products had a maximum: 2^62, so that two of them overflow a long.
        await fixture.ProductsDatabase.ExecuteAsync($"UPDATE products SET price_cents = {1L << 62} WHERE id = '{legacy.Id}'");
        await fixture.Basket.Services.GetRequiredService<ProductInfoCache>().ForgetAsync(legacy.Id); // what a ProductUpdated would do

        // Reading the basket still works, shows the line as not buyable, and the total is exact.
        var (read, shown) = await fixture.SendAsync(HttpMethod.Get, "/basket", token);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var line = shown.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("productId").GetString() == legacy.Id);
        Assert.False(line.TryGetProperty("available", out var available) && available.GetBoolean());
        Assert.False(line.TryGetProperty("lineTotal", out _));
        Assert.Equal(1000, shown.GetProperty("total").GetProperty("amountCents").GetInt64());

        // Setting its quantity again is refused with a clear 412, not a 500 and not a wrapped total.
        var (set, body) = await fixture.SendAsync(HttpMethod.Post, "/basket", token, new { productId = legacy.Id, quantity = 3 });
        Assert.Equal(HttpStatusCode.PreconditionFailed, set.StatusCode);
        Assert.Contains(MaxTotalCents.ToString(System.Globalization.CultureInfo.InvariantCulture), body.GetProperty("message").GetString(), StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = legacy.Id, Quantity = 1 }, auth).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(2, (await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth)).Lines.Single(l => l.ProductId == legacy.Id).Quantity);
    }
}
