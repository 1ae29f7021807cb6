using GoMicro.Products.Catalog;
using GoMicro.Products.V1;
using Microsoft.Extensions.Options;
using ProductRow = GoMicro.Products.Model.Product;

namespace GoMicro.Products.Tests;

/// <summary>
/// The races of the catalog cache, played out in order: a read that loaded a row before a change
/// was heard must not put the old row back, whatever order the two finish in.
/// </summary>
public sealed class ProductCacheTests : IDisposable
{
    private readonly ProductCache _cache = new(Options.Create(new ProductCacheOptions { Ttl = TimeSpan.FromMinutes(10), MaxProductBytes = 64 * 1024 }), TimeProvider.System);

    public ProductCacheTests() => _cache.StartServing();

    private static readonly ProductCache.PageKey Page = new(20, "", "", "lamps", ProductSort.Unspecified);

    private static ProductRow Row(Guid id, long revision, string name = "Lamp", bool deleted = false) => new()
    {
        Id = id, Name = name, Currency = "EUR", PriceCents = 100, Stock = 1, Revision = revision,
        CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow, DeletedAt = deleted ? DateTimeOffset.UtcNow : null,
    };

    private long? CachedRevision(Guid id) => _cache.TryGet(id, out var entry) ? entry.Revision : null;

    [Fact]
    public void A_read_that_loaded_an_older_revision_than_a_change_heard_meanwhile_is_not_cached()
    {
        var id = Guid.NewGuid();
        var ticket = _cache.Begin();
        _cache.Invalidate(id, revision: 2, listing: false); // heard while the read was at the database

        Assert.Equal("Lamp", _cache.Store(ticket, Row(id, 1))!.Name); // the read still answers what it read
        Assert.Null(CachedRevision(id));

        _cache.Store(_cache.Begin(), Row(id, 2));
        Assert.Equal(2, CachedRevision(id));
    }

    [Fact]
    public void A_slow_read_of_an_older_revision_never_replaces_a_newer_entry()
    {
        var id = Guid.NewGuid();
        var slow = _cache.Begin();
        _cache.Store(_cache.Begin(), Row(id, 3, "New"));
        _cache.Store(slow, Row(id, 2, "Old"));

        Assert.True(_cache.TryGet(id, out var entry));
        Assert.Equal(("New", 3L), (entry.Message!.Name, entry.Revision));
    }

    [Fact]
    public void A_change_drops_the_entry_and_an_older_notification_does_not()
    {
        var id = Guid.NewGuid();
        _cache.Store(_cache.Begin(), Row(id, 5));
        _cache.Invalidate(id, 4, listing: false); // late news of an older change
        Assert.Equal(5, CachedRevision(id));
        _cache.Invalidate(id, 6, listing: false);
        Assert.Null(CachedRevision(id));
    }

    [Fact]
    public void A_deleted_product_is_cached_as_gone()
    {
        var id = Guid.NewGuid();
        Assert.Null(_cache.Store(_cache.Begin(), Row(id, 7, deleted: true)));
        Assert.True(_cache.TryGet(id, out var entry));
        Assert.Null(entry.Message);
    }

    [Fact]
    public void Reads_under_way_when_the_listener_is_lost_are_not_cached_and_nothing_is_served_until_it_is_back()
    {
        var id = Guid.NewGuid();
        _cache.Store(_cache.Begin(), Row(id, 1));
        var during = _cache.Begin();

        _cache.StopServing();
        Assert.Null(CachedRevision(id));
        _cache.Store(_cache.Begin(), Row(id, 1));
        Assert.Null(CachedRevision(id));

        _cache.StartServing();
        _cache.Store(during, Row(id, 1));
        Assert.Null(CachedRevision(id));
        _cache.Store(_cache.Begin(), Row(id, 1));
        Assert.Equal(1, CachedRevision(id));
    }

    [Fact]
    public void A_page_read_before_a_listing_change_is_not_cached_and_a_stock_change_keeps_pages()
    {
        var ticket = _cache.Begin();
        _cache.Invalidate(Guid.NewGuid(), 2, listing: true); // a rename, say
        _cache.StorePage(ticket, Page, [Guid.NewGuid()], "");
        Assert.False(_cache.TryGetPage(Page, out _));

        _cache.StorePage(_cache.Begin(), Page, [Guid.NewGuid()], "");
        Assert.True(_cache.TryGetPage(Page, out _));
        _cache.Invalidate(Guid.NewGuid(), 9, listing: false); // stock only: the page's products are read per id
        Assert.True(_cache.TryGetPage(Page, out _));
        _cache.Invalidate(Guid.NewGuid(), 3, listing: true);
        Assert.False(_cache.TryGetPage(Page, out _));
    }

    [Fact]
    public void The_byte_budget_bounds_what_is_kept()
    {
        var ids = Enumerable.Range(0, 2000).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            _cache.Store(_cache.Begin(), Row(id, 1, name: new string('n', 200)));
        }
        var kept = ids.Count(id => CachedRevision(id) is not null);
        Assert.InRange(kept, 1, (64 * 1024) / 200);
    }

    public void Dispose() => _cache.Dispose();
}
