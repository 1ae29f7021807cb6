using GoMicro.Basket.Infrastructure;
using GoMicro.Basket.ProductInfo;
using GoMicro.Common.V1;
using GoMicro.Products.V1;
using GoMicro.Testing;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GoMicro.Basket.Tests;

/// <summary>The product facts basket shows: a change event is never undone by a read that was under way when it came.</summary>
public sealed class ProductInfoCacheTests(RedisDatabase redis) : IClassFixture<RedisDatabase>
{
    [Fact]
    public async Task A_change_event_during_a_lookup_is_not_undone_by_the_lookups_older_answer()
    {
        var products = new HeldProductsCalls();
        var cache = new ProductInfoCache(new ProductsService.ProductsServiceClient(products), redis.Database,
            Options.Create(new BasketOptions()), TimeProvider.System, NullLogger<ProductInfoCache>.Instance);
        var id = Guid.NewGuid().ToString();

        // A basket read asks products (nothing cached yet); products answers with the old price
        // only after the change event has been handled here.
        var read = cache.GetForDisplayAsync([id], CancellationToken.None);
        Assert.Equal(1, await products.Calls.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        await cache.ForgetAsync(id);
        products.Answer(new Product { Id = id, Name = "old", Price = new Money { AmountCents = 1000, Currency = "EUR" }, Stock = 5 });
        Assert.Equal("old", (await read)[id].Name); // that read shows what it got...

        // ...but neither this replica's memory nor Redis keeps it: the next read asks products again.
        Assert.False(await redis.Database.KeyExistsAsync(RedisKeys.Product(id)));
        var next = cache.GetForDisplayAsync([id], CancellationToken.None);
        Assert.Equal(2, await products.Calls.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        products.Answer(new Product { Id = id, Name = "new", Price = new Money { AmountCents = 800, Currency = "EUR" }, Stock = 5 });
        Assert.Equal("new", (await next)[id].Name);
    }

    /// <summary>A products client whose GetProducts calls wait until the test answers them.</summary>
    private sealed class HeldProductsCalls : CallInvoker
    {
        private TaskCompletionSource<GetProductsResponse> _pending = NewPending();
        private int _calls;

        public System.Threading.Channels.Channel<int> Calls { get; } = System.Threading.Channels.Channel.CreateUnbounded<int>();

        public void Answer(Product product)
        {
            var answered = _pending;
            _pending = NewPending();
            answered.SetResult(new GetProductsResponse { Products = { product } });
        }

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            var call = Interlocked.Increment(ref _calls);
            Calls.Writer.TryWrite(call);
            var response = _pending.Task.ContinueWith(t => (TResponse)(object)t.Result, TaskScheduler.Default);
            return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();

        private static TaskCompletionSource<GetProductsResponse> NewPending() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
