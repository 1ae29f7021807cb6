using System.Diagnostics;
using System.Net;
using GoMicro.Basket.V1;
using Grpc.Core;
using GoMicro.Testing;

namespace GoMicro.Basket.Tests;

/// <summary>Each test owns its fixture: cutting a proxy must not disturb other tests.</summary>
public sealed class OutageTests : IAsyncLifetime
{
    private readonly BasketFixture _fixture = new();

    public ValueTask InitializeAsync() => _fixture.InitializeAsync();

    public ValueTask DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task With_redis_down_the_basket_answers_503_within_a_second_and_recovers_by_itself()
    {
        var (_, token, auth) = _fixture.NewCustomer();
        var product = await _fixture.CreateProductAsync();
        await _fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = product.Id, Quantity = 1 }, auth);

        _fixture.RedisProxy.Cut();
        var watch = Stopwatch.StartNew();
        var (response, _) = await _fixture.SendAsync(HttpMethod.Get, "/basket", token);
        watch.Stop();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        var (writeResponse, _) = await _fixture.SendAsync(HttpMethod.Post, "/basket", token, new { productId = product.Id, quantity = 2 });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, writeResponse.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _fixture.Http.GetAsync("/healthz/ready")).StatusCode);

        _fixture.RedisProxy.Restore();
        await Eventually.UntilAsync(async () => (await _fixture.SendAsync(HttpMethod.Get, "/basket", token)).Response.StatusCode == HttpStatusCode.OK);
        Assert.Equal(1, (await _fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth)).Lines.Single().Quantity);
        Assert.Equal(HttpStatusCode.OK, (await _fixture.Http.GetAsync("/healthz/ready")).StatusCode);
    }

    [Fact]
    public async Task With_products_down_adding_is_a_fast_503_but_the_basket_still_reads()
    {
        var (_, token, auth) = _fixture.NewCustomer();
        var kept = await _fixture.CreateProductAsync(priceCents: 700, name: "Kept");
        var other = await _fixture.CreateProductAsync();
        await _fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = kept.Id, Quantity = 3 }, auth);

        _fixture.ProductsProxy.Cut();
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<RpcException>(() => _fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = other.Id, Quantity = 1 }, auth).ResponseAsync);
            watch.Stop();
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        }
        var (response, body) = await _fixture.SendAsync(HttpMethod.Get, "/basket", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = body.GetProperty("lines")[0];
        Assert.Equal(kept.Id, line.GetProperty("productId").GetString());
        Assert.Equal(3, line.GetProperty("quantity").GetInt32());
        Assert.Equal("Kept", line.GetProperty("name").GetString()); // from the cache

        _fixture.ProductsProxy.Restore();
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                await _fixture.Grpc.SetItemAsync(new SetItemRequest { ProductId = other.Id, Quantity = 1 }, auth);
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        });
        Assert.Equal(2, (await _fixture.Grpc.GetBasketAsync(new GetBasketRequest(), auth)).Lines.Count);
    }
}
