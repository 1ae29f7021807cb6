using System.Data.Common;
using System.Text.RegularExpressions;
using GoMicro.Common.V1;
using GoMicro.Products.Catalog;
using GoMicro.Products.Infrastructure;
using GoMicro.Products.V1;
using GoMicro.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace GoMicro.Products.Tests;

/// <summary>
/// Two replicas of products on one database. Reads come from each replica's memory; a change made
/// through either is read through the other within the bound the README states. The TTL backstop
/// is set far beyond these tests' waits, so only the change notifications, the invalidation at
/// commit and the clear on a lost listener can make them pass. Replica b reaches PostgreSQL through
/// a proxy the test can cut; replica a's listener has a proxy of its own that the test can pause,
/// so that a hears nothing from the database while it stays connected.
/// </summary>
public sealed partial class CatalogCacheTests : IAsyncLifetime
{
    /// <summary>The README's "normally" bound is milliseconds; this leaves room for a busy test machine.</summary>
    private const int NotificationSeconds = 3;

    private readonly ProductsFixture _products = new();
    private TcpProxy _proxy = null!;
    private TcpProxy _listenerOfA = null!;
    private Replica _a = null!;
    private Replica _b = null!;

    public async ValueTask InitializeAsync()
    {
        await _products.InitializeAsync();
        await _products.Host.DisposeAsync();
        var settings = _products.Settings();
        settings["Products:Cache:Ttl"] = "00:10:00";
        var postgres = new NpgsqlConnectionStringBuilder(_products.Database.ConnectionString);
        _listenerOfA = new TcpProxy(postgres.Host!, postgres.Port);
        _a = new Replica(new Dictionary<string, string?>(settings)
        {
            ["Products:Cache:ListenConnectionString"] = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Port = _listenerOfA.Port }.ConnectionString,
            // A paused listener stays trusted for the whole test: only its own invalidation keeps a current.
            ["Products:Cache:PingInterval"] = "00:10:00",
        });
        _proxy = new TcpProxy(postgres.Host!, postgres.Port);
        postgres.Port = _proxy.Port;
        _b = new Replica(new Dictionary<string, string?>(settings) { ["ConnectionStrings:Postgres"] = postgres.ConnectionString });
        await Eventually.UntilAsync(() => Task.FromResult(_a.Cache.Serving && _b.Cache.Serving), what: "both replicas listening");
    }

    [Fact]
    public async Task An_update_stock_change_and_delete_through_one_replica_are_read_through_the_other_within_the_bound()
    {
        var category = Category();
        var created = await CreateAsync(_a, "Cached Lamp", category, stock: 5);
        // b reads (and so caches) the product and its page.
        Assert.Equal("Cached Lamp", (await _b.GetAsync(created.Id)).Name);
        Assert.Equal("Cached Lamp", (await _b.ListAsync(category)).Single().Name);

        await _a.Grpc.UpdateProductAsync(Change(created, "Cached Lamp II", 4321), _products.Admin);
        await UntilAsync(async () => await _b.GetAsync(created.Id) is { Name: "Cached Lamp II", Price.AmountCents: 4321 }, "b reads the update");
        await UntilAsync(async () => (await _b.ListAsync(category)).Single().Name == "Cached Lamp II", "b's page shows the update");

        // A reservation (every checkout makes one) changes the stock and the revision only.
        await _a.Grpc.ReserveStockAsync(new ReserveStockRequest { PaymentId = Guid.NewGuid().ToString(), Lines = { new StockLine { ProductId = created.Id, Quantity = 2 } } }, _products.Buyer);
        await UntilAsync(async () => (await _b.GetAsync(created.Id)).Stock == 3, "b reads the new stock");
        await UntilAsync(async () => (await _b.ListAsync(category)).Single().Stock == 3, "b's page shows the new stock");

        await _a.Grpc.DeleteProductAsync(new DeleteProductRequest { Id = created.Id }, _products.Admin);
        await UntilAsync(async () => await StatusAsync(() => _b.GetAsync(created.Id)) == StatusCode.NotFound, "b no longer finds the deleted product");
        await UntilAsync(async () => (await _b.ListAsync(category)).Count == 0, "b's page no longer lists it");
    }

    [Fact]
    public async Task A_write_is_read_back_at_once_through_the_replica_that_made_it()
    {
        var category = Category();
        var product = await CreateAsync(_a, "Read Your Writes", category, stock: 50);
        Assert.Equal(product.Name, (await _a.GetAsync(product.Id)).Name);
        _listenerOfA.Pause(); // the database's notifications would come too late to matter
        try
        {
            await WritesAreReadBackAsync(product, category);
        }
        finally
        {
            _listenerOfA.Resume();
        }
        Assert.True(_a.Cache.Serving);
    }

    private async Task WritesAreReadBackAsync(Product product, string category)
    {
        for (var i = 1; i <= 10; i++)
        {
            Assert.Single(await _a.ListAsync(category)); // cached again before each write
            product = await _a.Grpc.UpdateProductAsync(Change(product, $"Read Your Writes {i}", 1000 + i), _products.Admin);
            Assert.Equal(1000 + i, (await _a.GetAsync(product.Id)).Price.AmountCents);
            Assert.Equal($"Read Your Writes {i}", (await _a.ListAsync(category)).Single().Name);

            await _a.Grpc.ReserveStockAsync(new ReserveStockRequest { PaymentId = Guid.NewGuid().ToString(), Lines = { new StockLine { ProductId = product.Id, Quantity = 1 } } }, _products.Buyer);
            Assert.Equal(50 - i, (await _a.GetAsync(product.Id)).Stock);
            Assert.Equal(50 - i, (await _a.ListAsync(category)).Single().Stock);
            product = await _a.GetAsync(product.Id);
        }
    }

    [Fact]
    public async Task A_listener_killed_by_the_server_leaves_nothing_stale_and_listens_again()
    {
        var product = await CreateAsync(_a, "Before The Kill", Category(), stock: 5);
        Assert.Equal("Before The Kill", (await _b.GetAsync(product.Id)).Name);

        var killed = await _products.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '{ProductChangeListener.ApplicationName}') t");
        Assert.Equal(2, killed);
        // Made while neither replica listens: no notification will ever tell them.
        product = await _a.Grpc.UpdateProductAsync(Change(product, "After The Kill", 999), _products.Admin);
        await UntilAsync(async () => (await _b.GetAsync(product.Id)).Name == "After The Kill", "b reads the change made while it was not listening");

        await Eventually.UntilAsync(() => Task.FromResult(_a.Cache.Serving && _b.Cache.Serving), what: "both replicas listening again");
        Assert.Equal("After The Kill", (await _b.GetAsync(product.Id)).Name); // cached again
        await _a.Grpc.UpdateProductAsync(Change(product, "Heard Again", 999), _products.Admin);
        await UntilAsync(async () => (await _b.GetAsync(product.Id)).Name == "Heard Again", "b hears changes again");
    }

    [Fact]
    public async Task A_replica_cut_off_from_its_database_serves_nothing_it_cannot_keep_current()
    {
        var product = await CreateAsync(_a, "Before The Cut", Category(), stock: 5);
        Assert.Equal("Before The Cut", (await _b.GetAsync(product.Id)).Name);

        _proxy.Cut();
        try
        {
            // Its listener is gone, so its memory can no longer be trusted: unavailable, not stale.
            await UntilAsync(async () => await StatusAsync(() => _b.GetAsync(product.Id)) == StatusCode.Unavailable, "b stops answering from memory");
            product = await _a.Grpc.UpdateProductAsync(Change(product, "Changed During The Cut", 777), _products.Admin);
        }
        finally
        {
            _proxy.Restore();
        }
        await Eventually.UntilAsync(async () => await StatusAsync(() => _b.GetAsync(product.Id)) == StatusCode.OK, what: "b back");
        Assert.Equal("Changed During The Cut", (await _b.GetAsync(product.Id)).Name);
        await Eventually.UntilAsync(() => Task.FromResult(_b.Cache.Serving), what: "b listening again");
        Assert.Equal("Changed During The Cut", (await _b.GetAsync(product.Id)).Name);
    }

    [Fact]
    public async Task Cached_reads_make_no_database_query()
    {
        var category = Category();
        var product = await CreateAsync(_a, "Hot Product", category, stock: 5);
        using var http = _a.Host.CreateHttpClient();

        var before = _a.Queries.Count;
        await _a.GetAsync(product.Id);
        await _a.ListAsync(category);
        Assert.Equal(before + 2, _a.Queries.Count); // the counter sees the misses

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("Hot Product", (await _a.GetAsync(product.Id)).Name);
            Assert.Single(await _a.ListAsync(category));
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync($"/products/{product.Id}")).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync($"/products?category={category}")).StatusCode);
        }
        Assert.Equal(before + 2, _a.Queries.Count);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("gomicro_products_cache_hits_total{kind=\"product\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("gomicro_products_cache_hits_total{kind=\"page\"}", metrics, StringComparison.Ordinal);
    }

    private static string Category() => "cache-" + Guid.NewGuid().ToString("N")[..12];

    private static UpdateProductRequest Change(Product product, string name, long priceCents) => new()
    {
        Id = product.Id, Name = name, Description = product.Description, Category = product.Category,
        Price = new Money { AmountCents = priceCents, Currency = product.Price.Currency }, Stock = product.Stock, Version = product.Version,
    };

    private async Task<Product> CreateAsync(Replica via, string name, string category, int stock) =>
        await via.Grpc.CreateProductAsync(new CreateProductRequest
        {
            Name = name, Description = "cached", Category = category, Price = new Money { AmountCents = 1500, Currency = "EUR" }, Stock = stock,
        }, _products.Admin);

    private static Task UntilAsync(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(condition, NotificationSeconds, what);

    private static async Task<StatusCode> StatusAsync(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _proxy.DisposeAsync();
        await _listenerOfA.DisposeAsync();
        await _products.DisposeAsync();
    }

    /// <summary>One products host, with a count of the queries that read the products table.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        public Replica(IDictionary<string, string?> settings)
        {
            Host = new ServiceHost<ProductsGrpcService>(settings, services =>
                services.ConfigureDbContext<ProductsDbContext>((_, options) => options.AddInterceptors(Queries))).Start();
            Channel = Host.CreateGrpcChannel();
            Grpc = new ProductsService.ProductsServiceClient(Channel);
        }

        public ProductQueries Queries { get; } = new();

        public ServiceHost<ProductsGrpcService> Host { get; }

        public GrpcChannel Channel { get; }

        public ProductsService.ProductsServiceClient Grpc { get; }

        public ProductCache Cache => Host.Services.GetRequiredService<ProductCache>();

        public async Task<Product> GetAsync(string id) => await Grpc.GetProductAsync(new GetProductRequest { Id = id });

        public async Task<IReadOnlyList<Product>> ListAsync(string category) =>
            (await Grpc.ListProductsAsync(new ListProductsRequest { Category = category, PageSize = 20 })).Products;

        public async ValueTask DisposeAsync()
        {
            Channel.Dispose();
            await Host.DisposeAsync();
        }
    }

    /// <summary>Counts commands that read the products table (not the outbox, inbox or reservations).</summary>
    private sealed partial class ProductQueries : DbCommandInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Observe(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Observe(command);
            return ValueTask.FromResult(result);
        }

        private void Observe(DbCommand command)
        {
            if (FromProducts().IsMatch(command.CommandText))
            {
                Interlocked.Increment(ref _count);
            }
        }

        [GeneratedRegex(@"\bFROM products\b")]
        private static partial Regex FromProducts();
    }
}
