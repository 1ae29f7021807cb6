using System.Net;
using GoMicro.Basket.Infrastructure;
using GoMicro.Basket.V1;
using GoMicro.Common.V1;
using GoMicro.Events.V1;
using GoMicro.Messaging.Connection;
using GoMicro.Products.V1;
using Grpc.Core;
using GoMicro.Testing;

namespace GoMicro.Basket.Tests;

public sealed class BasketTests(BasketFixture fixture) : IClassFixture<BasketFixture>
{
    [Fact]
    public async Task Add_set_remove_and_clear_over_grpc()
    {
        var (_, _, auth) = fixture.NewCustomer();
        var mug = await fixture.CreateProductAsync(stock: 10, priceCents: 1500, name: "Mug");
        var pot = await fixture.CreateProductAsync(stock: 10, priceCents: 2500, name: "Pot");

        await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = mug.Id, Quantity = 2 }, auth);
        var basket = await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = pot.Id, Quantity = 1 }, auth);
        Assert.Equal(2, basket.Lines.Count);
        Assert.Equal(5500, basket.Total.AmountCents);
        Assert.Equal("EUR", basket.Total.Currency);
        var mugLine = basket.Lines.Single(l => l.ProductId == mug.Id);
        Assert.Equal(("Mug", 1500, 3000, true, 10), (mugLine.Name, mugLine.UnitPrice.AmountCents, mugLine.LineTotal.AmountCents, mugLine.Available, mugLine.AvailableQuantity));

        basket = await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = mug.Id, Quantity = 5 }, auth);
        Assert.Equal(5, basket.Lines.Single(l => l.ProductId == mug.Id).Quantity);

        basket = await fixture.Grpc.RemoveItemAsync(new RemoveItemRequest { ProductId = pot.Id }, auth);
        Assert.Equal([mug.Id], basket.Lines.Select(l => l.ProductId));

        await fixture.Grpc.ClearBasketAsync(new ClearBasketRequest(), auth);
        Assert.Empty((await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth)).Lines);
    }

    [Fact]
    public async Task Add_set_remove_and_clear_over_http_json()
    {
        var (id, token, _) = fixture.NewCustomer();
        var lamp = await fixture.CreateProductAsync(stock: 4, priceCents: 4900, name: "Lamp");

        var (added, basket) = await fixture.SendAsync(HttpMethod.Post, "/basket", token, new { productId = lamp.Id, quantity = 3 });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(id.ToString(), basket.GetProperty("userId").GetString());
        Assert.Equal(14700, basket.GetProperty("total").GetProperty("amountCents").GetInt64());

        var (got, read) = await fixture.SendAsync(HttpMethod.Get, "/basket", token);
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal(3, read.GetProperty("lines")[0].GetProperty("quantity").GetInt32());
        Assert.True(read.GetProperty("lines")[0].GetProperty("available").GetBoolean());

        var (removed, afterRemove) = await fixture.SendAsync(HttpMethod.Delete, $"/basket/items/{lamp.Id}", token);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(0, afterRemove.TryGetProperty("lines", out var lines) ? lines.GetArrayLength() : 0);

        await fixture.SendAsync(HttpMethod.Post, "/basket", token, new { productId = lamp.Id, quantity = 1 });
        Assert.Equal(HttpStatusCode.OK, (await fixture.SendAsync(HttpMethod.Delete, "/basket", token)).Response.StatusCode);
        var (_, empty) = await fixture.SendAsync(HttpMethod.Get, "/basket", token);
        Assert.Equal(0, empty.TryGetProperty("lines", out var none) ? none.GetArrayLength() : 0);
    }

    [Fact]
    public async Task Each_user_sees_and_changes_only_their_own_basket()
    {
        var a = fixture.NewCustomer();
        var b = fixture.NewCustomer();
        var product = await fixture.CreateProductAsync();
        await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = product.Id, Quantity = 2 }, a.Auth);

        Assert.Empty((await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), b.Auth)).Lines);
        await fixture.Grpc.ClearBasketAsync(new ClearBasketRequest(), b.Auth);
        await fixture.Grpc.RemoveItemAsync(new RemoveItemRequest { ProductId = product.Id }, b.Auth);
        Assert.Single((await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), a.Auth)).Lines);

        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.SendAsync(HttpMethod.Get, "/basket", null)).Response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_or_deleted_product_is_404_and_a_malformed_id_400()
    {
        var (_, token, _) = fixture.NewCustomer();
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.SendAsync(HttpMethod.Post, "/basket", token, new { productId = Guid.NewGuid(), quantity = 1 })).Response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.SendAsync(HttpMethod.Post, "/basket", token, new { productId = "nope", quantity = 1 })).Response.StatusCode);

        var deleted = await fixture.CreateProductAsync();
        await fixture.ProductsGrpc.DeleteProductAsync(new DeleteProductRequest { Id = deleted.Id }, new Metadata { { "authorization", $"Bearer {fixture.Identity.AdminToken()}" } });
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.SendAsync(HttpMethod.Post, "/basket", token, new { productId = deleted.Id, quantity = 1 })).Response.StatusCode);
    }

    [Fact]
    public async Task Not_enough_stock_is_412_with_the_available_quantity()
    {
        var (_, token, auth) = fixture.NewCustomer();
        var scarce = await fixture.CreateProductAsync(stock: 2, name: "Scarce");

        var (response, body) = await fixture.SendAsync(HttpMethod.Post, "/basket", token, new { productId = scarce.Id, quantity = 3 });

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Contains("only 2", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<RpcException>(() => fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = scarce.Id, Quantity = 3 }, auth).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Empty((await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth)).Lines);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(-1)]
    public async Task A_quantity_outside_1_to_99_is_400(int quantity)
    {
        var (_, token, _) = fixture.NewCustomer();
        var product = await fixture.CreateProductAsync(stock: 500);

        var (response, body) = await fixture.SendAsync(HttpMethod.Post, "/basket", token, new { productId = product.Id, quantity });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("quantity:", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_101st_line_is_refused_and_the_100_stay()
    {
        var (_, token, auth) = fixture.NewCustomer();
        var products = new List<Products.V1.Product>();
        for (var i = 0; i < 101; i++)
        {
            products.Add(await fixture.CreateProductAsync());
        }
        foreach (var product in products.Take(100))
        {
            await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = product.Id, Quantity = 1 }, auth);
        }

        var (response, _) = await fixture.SendAsync(HttpMethod.Post, "/basket", token, new { productId = products[100].Id, quantity = 1 });

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal(100, (await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth)).Lines.Count);
        // Changing the quantity of a line already there is still fine.
        await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = products[0].Id, Quantity = 2 }, auth);
    }

    [Fact]
    public async Task Twenty_concurrent_adds_of_different_products_are_all_kept()
    {
        var (_, _, auth) = fixture.NewCustomer();
        var products = new List<Products.V1.Product>();
        for (var i = 0; i < 20; i++)
        {
            products.Add(await fixture.CreateProductAsync());
        }

        // Basket answers Unavailable fast when products does not answer within its sub-second
        // budget (20 lookups at once on a busy CI machine can take longer: each opens a new
        // database connection in products); a client retries that. What this test proves is that no add is lost when the writes race.
        async Task AddAsync(string productId)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = productId, Quantity = 1 }, auth);
                    return;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && attempt < 5)
                {
                    // As a client backs off: twenty first lookups at once can open basket's circuit
                    // breaker towards products (1 s here), and a retry at once would meet it open.
                    await Task.Delay(TimeSpan.FromSeconds(attempt));
                }
            }
        }
        await Task.WhenAll(products.Select(p => AddAsync(p.Id)));

        var basket = await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth);
        Assert.Equal(products.Select(p => p.Id).Order(), basket.Lines.Select(l => l.ProductId).Order());
    }

    [Fact]
    public async Task A_price_change_shows_in_the_next_read()
    {
        var (_, _, auth) = fixture.NewCustomer();
        var product = await fixture.CreateProductAsync(priceCents: 1000, stock: 10);
        await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = product.Id, Quantity = 2 }, auth); // caches it

        await fixture.ProductsGrpc.UpdateProductAsync(new UpdateProductRequest
        {
            Id = product.Id, Name = product.Name, Price = new Money { AmountCents = 800, Currency = "EUR" }, Stock = 10, Version = product.Version,
        }, new Metadata { { "authorization", $"Bearer {fixture.Identity.AdminToken()}" } });

        await Eventually.UntilAsync(async () => (await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth)).Total.AmountCents == 1600);
    }

    [Fact]
    public async Task What_another_replica_put_in_Redis_shows_here_once_this_replicas_memory_of_it_lapses()
    {
        var (_, _, auth) = fixture.NewCustomer();
        var product = await fixture.CreateProductAsync(priceCents: 1000, stock: 10);
        await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = product.Id, Quantity = 1 }, auth); // in memory and in Redis

        // Another replica consumed a price change and refreshed Redis; this one never saw the event.
        var newer = product.Clone();
        newer.Price = new Money { AmountCents = 700, Currency = product.Price.Currency };
        await fixture.Redis.Database.StringSetAsync(RedisKeys.Product(product.Id), Google.Protobuf.MessageExtensions.ToByteArray(newer), TimeSpan.FromMinutes(1));
        var changedAt = DateTime.UtcNow;

        Assert.Equal(1000, (await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth)).Total.AmountCents); // from memory, no Redis round trip
        await Eventually.UntilAsync(async () => (await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth)).Total.AmountCents == 700, seconds: 10, what: "the newer price");
        Assert.InRange(DateTime.UtcNow - changedAt, TimeSpan.Zero, new BasketOptions().ProductMemoryTtl + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_payment_takes_its_lines_out_of_the_basket_once()
    {
        var (userId, _, auth) = fixture.NewCustomer();
        var product = await fixture.CreateProductAsync(stock: 50);
        var checkedOut = await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = product.Id, Quantity = 2 }, auth);
        var payment = new PaymentSucceeded
        {
            PaymentId = Guid.NewGuid().ToString(),
            UserId = userId.ToString(),
            Lines = { new PaymentSucceeded.Types.Line { ProductId = product.Id, Quantity = 2 } },
            BasketVersion = checkedOut.Version,
        };
        var messageId = Guid.NewGuid();

        await fixture.Events.PublishAsync(payment, messageId);
        await Eventually.UntilAsync(async () => (await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth)).Lines.Count == 0);

        // The customer fills the basket again; the same message redelivered to basket changes nothing.
        await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = product.Id, Quantity = 2 }, auth);
        var redelivery = ConsumedMessages.NewTraceParent();
        await fixture.Events.PublishAsync(payment, messageId, redelivery, queue: Topology.Queue(ApplicationServices.ServiceName));
        await ConsumedMessages.WaitForAsync(redelivery);
        Assert.Equal(2, (await fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth)).Lines.Single().Quantity);
    }

    [Fact]
    public async Task Every_write_sets_and_restarts_the_idle_expiry()
    {
        var (userId, _, auth) = fixture.NewCustomer();
        var product = await fixture.CreateProductAsync();
        await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = product.Id, Quantity = 1 }, auth);
        var first = await fixture.Redis.Database.KeyTimeToLiveAsync(RedisKeys.Basket(userId));

        await Eventually.UntilAsync(async () => await fixture.Redis.Database.KeyTimeToLiveAsync(RedisKeys.Basket(userId)) < fixture.IdleExpiry - TimeSpan.FromSeconds(1.5),
            what: "the idle expiry running down");
        await fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = product.Id, Quantity = 2 }, auth);
        var second = await fixture.Redis.Database.KeyTimeToLiveAsync(RedisKeys.Basket(userId));

        Assert.NotNull(first);
        Assert.InRange(first.Value, fixture.IdleExpiry - TimeSpan.FromSeconds(5), fixture.IdleExpiry);
        Assert.NotNull(second);
        Assert.True(second > fixture.IdleExpiry - TimeSpan.FromSeconds(1), $"expiry not restarted: {second}");
    }
}
