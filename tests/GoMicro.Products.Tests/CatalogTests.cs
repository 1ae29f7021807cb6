using System.Net;
using GoMicro.Common.V1;
using GoMicro.Events.V1;
using GoMicro.Products.V1;
using Grpc.Core;

namespace GoMicro.Products.Tests;

public sealed class CatalogTests(ProductsFixture products) : IClassFixture<ProductsFixture>
{
    [Fact]
    public async Task Create_get_update_delete_over_grpc_announces_each_change()
    {
        var created = await products.CreateAsync("Grpc Lamp", stock: 4, priceCents: 4500);
        Assert.True(created.Available);
        Assert.Equal(4500, created.Price.AmountCents);

        var read = await products.Grpc.GetProductAsync(new GetProductRequest { Id = created.Id });
        Assert.Equal("Grpc Lamp", read.Name);

        var updated = await products.Grpc.UpdateProductAsync(new UpdateProductRequest
        {
            Id = created.Id, Name = "Grpc Lamp II", Description = read.Description, Category = read.Category,
            Price = new Money { AmountCents = 3900, Currency = "EUR" }, Stock = 0, Version = read.Version,
        }, products.Admin);
        Assert.Equal("Grpc Lamp II", updated.Name);
        Assert.False(updated.Available);
        Assert.NotEqual(read.Version, updated.Version);

        await products.Grpc.DeleteProductAsync(new DeleteProductRequest { Id = created.Id }, products.Admin);
        var gone = await Assert.ThrowsAsync<RpcException>(() => products.Grpc.GetProductAsync(new GetProductRequest { Id = created.Id }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Empty((await products.Grpc.GetProductsAsync(new GetProductsRequest { Ids = { created.Id } })).Products);

        await products.Events.WaitForAsync<ProductCreated>(e => e.Any(x => x.Event.ProductId == created.Id));
        var updates = await products.Events.WaitForAsync<ProductUpdated>(e => e.Any(x => x.Event.ProductId == created.Id));
        Assert.Contains(updates, u => u.Event.ProductId == created.Id && u.Event.Price.AmountCents == 3900 && !u.Event.Available);
        await products.Events.WaitForAsync<ProductDeleted>(e => e.Any(x => x.Event.ProductId == created.Id));
        await products.Events.WaitForAsync<StockChanged>(e => e.Any(x => x.Event.ProductId == created.Id && x.Event.Stock == 0));
    }

    [Fact]
    public async Task Create_get_update_delete_over_http_json()
    {
        var admin = products.Identity.AdminToken();
        var (created, product) = await products.SendAsync(HttpMethod.Post, "/products",
            new { name = "Http Chair", description = "Oak", category = "furniture", price = new { amountCents = 12900, currency = "EUR" }, stock = 3 }, admin);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = product.GetProperty("id").GetString()!;

        var (got, body) = await products.SendAsync(HttpMethod.Get, $"/products/{id}");
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal(12900, body.GetProperty("price").GetProperty("amountCents").GetInt64());
        Assert.Equal(3, body.GetProperty("stock").GetInt32());

        var (put, updated) = await products.SendAsync(HttpMethod.Put, $"/products/{id}",
            new { name = "Http Chair", description = "Oak", category = "furniture", price = new { amountCents = 9900, currency = "EUR" }, stock = 5, version = body.GetProperty("version").GetUInt32() }, admin);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(9900, updated.GetProperty("price").GetProperty("amountCents").GetInt64());

        Assert.Equal(HttpStatusCode.OK, (await products.SendAsync(HttpMethod.Delete, $"/products/{id}", token: admin)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await products.SendAsync(HttpMethod.Get, $"/products/{id}")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await products.SendAsync(HttpMethod.Delete, $"/products/{id}", token: admin)).Response.StatusCode);
    }

    [Fact]
    public async Task Writes_are_admin_only()
    {
        var body = new { name = "Nope", price = new { amountCents = 100, currency = "EUR" }, stock = 1 };
        Assert.Equal(HttpStatusCode.Unauthorized, (await products.SendAsync(HttpMethod.Post, "/products", body)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await products.SendAsync(HttpMethod.Post, "/products", body, products.Identity.CustomerToken())).Response.StatusCode);

        var existing = await products.CreateAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await products.SendAsync(HttpMethod.Delete, $"/products/{existing.Id}", token: products.Identity.CustomerToken())).Response.StatusCode);
        var error = await Assert.ThrowsAsync<RpcException>(() => products.Grpc.DeleteProductAsync(new DeleteProductRequest { Id = existing.Id }, products.Customer).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal(existing.Name, (await products.Grpc.GetProductAsync(new GetProductRequest { Id = existing.Id })).Name);
    }

    public static TheoryData<string, string> BadProducts => new()
    {
        { """{"name":"","price":{"amountCents":100,"currency":"EUR"},"stock":1}""", "name" },
        { "{\"name\":\"" + new string('n', 201) + "\",\"price\":{\"amountCents\":100,\"currency\":\"EUR\"},\"stock\":1}", "name" },
        { """{"name":"X","price":{"amountCents":0,"currency":"EUR"},"stock":1}""", "price.amount_cents" },
        { """{"name":"X","price":{"amountCents":-5,"currency":"EUR"},"stock":1}""", "price.amount_cents" },
        { """{"name":"X","price":{"amountCents":100,"currency":"EURO"},"stock":1}""", "price.currency" },
        { """{"name":"X","price":{"amountCents":100,"currency":"eur"},"stock":1}""", "price.currency" },
        { """{"name":"X","stock":1}""", "price" },
        { """{"name":"X","price":{"amountCents":100,"currency":"EUR"},"stock":-1}""", "stock" },
    };

    [Theory]
    [MemberData(nameof(BadProducts))]
    public async Task Bad_input_is_400_naming_the_field_and_creates_nothing(string json, string field)
    {
        var before = await products.Database.ScalarAsync<long>("SELECT count(*) FROM products");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/products") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", products.Identity.AdminToken());
        var response = await products.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await products.Database.ScalarAsync<long>("SELECT count(*) FROM products"));
    }

    [Fact]
    public async Task Unknown_and_malformed_ids_are_404_and_400()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await products.SendAsync(HttpMethod.Get, $"/products/{Guid.NewGuid()}")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await products.SendAsync(HttpMethod.Get, "/products/not-a-uuid")).Response.StatusCode);
    }

    [Fact]
    public async Task A_stale_version_is_refused_with_409_and_the_first_write_wins()
    {
        var created = await products.CreateAsync("Contested", stock: 5);
        UpdateProductRequest Change(string name) => new()
        {
            Id = created.Id, Name = name, Category = created.Category, Description = created.Description,
            Price = created.Price, Stock = created.Stock, Version = created.Version,
        };

        await products.Grpc.UpdateProductAsync(Change("First writer"), products.Admin);
        var stale = await Assert.ThrowsAsync<RpcException>(() => products.Grpc.UpdateProductAsync(Change("Second writer"), products.Admin).ResponseAsync);
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);

        var admin = products.Identity.AdminToken();
        var (http, _) = await products.SendAsync(HttpMethod.Put, $"/products/{created.Id}",
            new { name = "Third writer", price = new { amountCents = 100, currency = "EUR" }, stock = 1, version = created.Version }, admin);
        Assert.Equal(HttpStatusCode.Conflict, http.StatusCode);
        Assert.Equal("First writer", (await products.Grpc.GetProductAsync(new GetProductRequest { Id = created.Id })).Name);
    }

    [Fact]
    public async Task Listing_pages_searches_filters_and_sorts()
    {
        var category = "cat-" + Guid.NewGuid().ToString("N")[..8];
        var tag = Guid.NewGuid().ToString("N")[..8];
        var prices = new long[] { 500, 100, 900, 300, 700 };
        foreach (var (price, i) in prices.Select((p, i) => (p, i)))
        {
            await products.CreateAsync($"Item {tag} {i}", priceCents: price, category: category);
        }
        await products.CreateAsync($"Other {Guid.NewGuid():N}", category: category);

        var all = new List<Product>();
        var token = "";
        do
        {
            var page = await products.Grpc.ListProductsAsync(new ListProductsRequest { Category = category, PageSize = 2, PageToken = token, Sort = ProductSort.Price });
            Assert.InRange(page.Products.Count, 1, 2);
            all.AddRange(page.Products);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        Assert.Equal(6, all.Count);
        Assert.Equal(all.Select(p => p.Price.AmountCents).Order(), all.Select(p => p.Price.AmountCents));

        var (response, search) = await products.SendAsync(HttpMethod.Get, $"/products?query={tag.ToUpperInvariant()}&sort=PRODUCT_SORT_NAME_DESC");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var names = search.GetProperty("products").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList();
        Assert.Equal(5, names.Count);
        Assert.Equal(names.OrderDescending(StringComparer.Ordinal), names);

        Assert.Empty((await products.Grpc.ListProductsAsync(new ListProductsRequest { Query = "%" + tag + "_nothing" })).Products);
        Assert.Equal(HttpStatusCode.BadRequest, (await products.SendAsync(HttpMethod.Get, "/products?pageToken=broken")).Response.StatusCode);
    }
}
