using System.Net;
using GoMicro.Common.V1;
using GoMicro.Products.V1;
using Grpc.Core;

namespace GoMicro.Products.Tests;

/// <summary>Every string and number products accepts has a documented limit, and crossing it is a 400 naming the field and the limit.</summary>
public sealed class InputLimitTests(ProductsFixture products) : IClassFixture<ProductsFixture>
{
    private const long MaxPriceCents = 100_000_000; // 1,000,000.00 per unit

    [Fact]
    public async Task A_price_above_the_maximum_is_400_naming_the_field_and_the_limit_and_the_maximum_itself_is_fine()
    {
        var admin = products.Identity.AdminToken();
        var before = await products.Database.ScalarAsync<long>("SELECT count(*) FROM products");

        var (tooHigh, body) = await products.SendAsync(HttpMethod.Post, "/products",
            new { name = "Gold Bar", price = new { amountCents = MaxPriceCents + 1, currency = "EUR" }, stock = 1 }, admin);
        Assert.Equal(HttpStatusCode.BadRequest, tooHigh.StatusCode);
        var message = body.GetProperty("message").GetString()!;
        Assert.StartsWith("price.amount_cents:", message, StringComparison.Ordinal);
        Assert.Contains(MaxPriceCents.ToString(System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);

        // long.MaxValue, the value that made totals wrap round, is refused the same way.
        var (huge, _) = await products.SendAsync(HttpMethod.Post, "/products",
            new { name = "Gold Bar", price = new { amountCents = long.MaxValue, currency = "EUR" }, stock = 1 }, admin);
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Equal(before, await products.Database.ScalarAsync<long>("SELECT count(*) FROM products"));

        var atMost = await products.CreateAsync("Gold Bar", priceCents: MaxPriceCents);
        Assert.Equal(MaxPriceCents, atMost.Price.AmountCents);

        var update = await Assert.ThrowsAsync<RpcException>(() => products.Grpc.UpdateProductAsync(new UpdateProductRequest
        {
            Id = atMost.Id, Name = atMost.Name, Price = new Money { AmountCents = MaxPriceCents + 1, Currency = "EUR" }, Stock = 1, Version = atMost.Version,
        }, products.Admin).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, update.StatusCode);
        Assert.StartsWith("price.amount_cents:", update.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(MaxPriceCents, (await products.Grpc.GetProductAsync(new GetProductRequest { Id = atMost.Id })).Price.AmountCents);
    }

    public static TheoryData<string, string> OverLimits => new()
    {
        { "{\"name\":\"X\",\"description\":\"" + new string('d', 2001) + "\",\"price\":{\"amountCents\":100,\"currency\":\"EUR\"},\"stock\":1}", "description" },
        { "{\"name\":\"X\",\"category\":\"" + new string('c', 101) + "\",\"price\":{\"amountCents\":100,\"currency\":\"EUR\"},\"stock\":1}", "category" },
        { """{"name":"X","price":{"amountCents":100,"currency":"EUR"},"stock":1000001}""", "stock" },
    };

    [Theory]
    [MemberData(nameof(OverLimits))]
    public async Task Each_documented_product_limit_is_400_naming_the_field(string json, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/products") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", products.Identity.AdminToken());
        var response = await products.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}: must be at most", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
