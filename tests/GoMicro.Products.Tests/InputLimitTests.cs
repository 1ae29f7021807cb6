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

    [Fact]
    public async Task A_search_longer_than_100_characters_is_400_and_100_are_fine()
    {
        var (tooLong, body) = await products.SendAsync(HttpMethod.Get, "/products?query=" + new string('a', 101));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.StartsWith("query:", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("100", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await products.SendAsync(HttpMethod.Get, "/products?query=" + new string('a', 100))).Response.StatusCode);
    }

    [Fact]
    public async Task A_category_filter_longer_than_a_category_can_be_is_400()
    {
        var (tooLong, body) = await products.SendAsync(HttpMethod.Get, "/products?category=" + new string('c', 101));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.StartsWith("category:", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await products.SendAsync(HttpMethod.Get, "/products?category=" + new string('c', 100))).Response.StatusCode);
    }

    [Fact]
    public async Task A_page_token_longer_than_any_this_service_issues_is_400_without_being_decoded()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => products.Grpc.ListProductsAsync(new ListProductsRequest { PageToken = new string('A', 100_000) }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("page_token:", error.Status.Detail, StringComparison.Ordinal);
    }
}
