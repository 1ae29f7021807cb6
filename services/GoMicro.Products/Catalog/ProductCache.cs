using System.Collections.Concurrent;
using GoMicro.Products.V1;
using Microsoft.Extensions.Options;
using ProductMessage = GoMicro.Products.V1.Product;

namespace GoMicro.Products.Catalog;

/// <summary>
/// The catalog as this replica last read it, for the public reads (GetProduct, ListProducts).
/// Correctness rests on four rules:
/// <list type="bullet">
/// <item>It serves only while <see cref="ProductChangeListener"/> is listening for the database's
/// change notifications; losing that connection clears it and reads go to PostgreSQL until the
/// listener is back.</item>
/// <item>A change (heard from another replica through the database, or made here, see
/// <see cref="ProductChangeInterceptor"/>) leaves a marker with its revision; a read that loaded
/// an older revision never replaces a newer entry or a marker, so a slow read cannot put back what
/// a change just removed.</item>
/// <item>Every load holds a <see cref="Ticket"/> taken before its query: a clear, or for pages a
/// change to what lists contain, since then means it is not stored.</item>
/// <item>Nothing is served longer than <see cref="ProductCacheOptions.Ttl"/> after the query that
/// read it began, even if a notification was lost; markers are kept that long too, which is what
/// makes dropping them safe (a load older than that is refused anyway).</item>
/// </list>
/// A page holds ids and its next-page token only; its products come from the product entries, so a
/// stock change (every checkout makes some) refreshes one product, not every page. Memory is bounded
/// by byte budgets: when one is full, new entries are not stored until the sweep frees room.
/// </summary>
public sealed class ProductCache : IDisposable
{
    private const int EntryOverhead = 128;

    private readonly ConcurrentDictionary<Guid, Entry> _products = new();
    private readonly ConcurrentDictionary<PageKey, Page> _pages = new();
    private readonly TimeProvider _clock;
    private readonly ProductCacheOptions _options;
    private readonly long _ttl;
    private readonly ITimer _sweeper;
    private long _epoch;
    private long _listGeneration;
    private long _productBytes;
    private long _pageBytes;
    private volatile bool _serving;

    public ProductCache(IOptions<ProductCacheOptions> options, TimeProvider clock)
    {
        _clock = clock;
        _options = options.Value;
        _ttl = (long)(_options.Ttl.TotalSeconds * clock.TimestampFrequency);
        var sweep = _options.Ttl < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : _options.Ttl;
        _sweeper = clock.CreateTimer(_ => Sweep(), null, sweep, sweep);
    }

    /// <summary>A product as cached: <see cref="Message"/> is null when it is deleted.</summary>
    public sealed record Entry(ProductMessage? Message, long Revision, bool IsMarker, long ExpiresAt, long Born, int Size);

    public readonly record struct PageKey(int Size, string Token, string Query, string Category, ProductSort Sort);

    public sealed record Page(Guid[] Ids, string NextToken, long Generation, long ExpiresAt, int Size);

    /// <summary>What a load saw before its query; see the class summary.</summary>
    public readonly record struct Ticket(bool Serving, long Epoch, long ListGeneration, long Started);

    public bool Serving => _serving;

    public Ticket Begin()
    {
        // Epoch first: a start or stop between the two reads leaves an epoch that no longer matches.
        var epoch = Volatile.Read(ref _epoch);
        var generation = Volatile.Read(ref _listGeneration);
        return new Ticket(_serving, epoch, generation, _clock.GetTimestamp());
    }

    public bool TryGet(Guid id, out Entry entry)
    {
        if (_serving && _products.TryGetValue(id, out entry!) && !entry.IsMarker && _clock.GetTimestamp() < entry.ExpiresAt)
        {
            return true;
        }
        entry = null!;
        return false;
    }

    /// <summary>Stores what a load read, unless something newer is known; returns the row as a message (null when deleted) either way.</summary>
    public ProductMessage? Store(Ticket ticket, Model.Product row)
    {
        var message = row.DeletedAt is null ? row.ToMessage() : null;
        var now = _clock.GetTimestamp();
        if (!ticket.Serving || now >= ticket.Started + _ttl)
        {
            return message;
        }
        var entry = new Entry(message, row.Revision, IsMarker: false, ticket.Started + _ttl, now, (message?.CalculateSize() ?? 0) + EntryOverhead);
        while (Volatile.Read(ref _epoch) == ticket.Epoch)
        {
            if (_products.TryGetValue(row.Id, out var current))
            {
                if (current.Revision > entry.Revision || (current.Revision == entry.Revision && !current.IsMarker && current.ExpiresAt >= entry.ExpiresAt))
                {
                    return message;
                }
                if (_products.TryUpdate(row.Id, entry, current))
                {
                    Interlocked.Add(ref _productBytes, entry.Size - current.Size);
                    break;
                }
            }
            else if (Volatile.Read(ref _productBytes) + entry.Size > _options.MaxProductBytes)
            {
                return message;
            }
            else if (_products.TryAdd(row.Id, entry))
            {
                Interlocked.Add(ref _productBytes, entry.Size);
                break;
            }
        }
        // A clear that ran while this was stored must not leave it behind.
        if (Volatile.Read(ref _epoch) != ticket.Epoch)
        {
            Remove(row.Id, entry);
        }
        return message;
    }

    /// <summary>
    /// Revision <paramref name="revision"/> of the product is committed (or about to be): older
    /// entries go, and loads of older revisions are refused. <paramref name="listing"/>: its name,
    /// description, category, price or existence changed, so cached pages may be wrong.
    /// </summary>
    public void Invalidate(Guid id, long revision, bool listing)
    {
        if (listing)
        {
            Interlocked.Increment(ref _listGeneration);
        }
        var marker = new Entry(null, revision, IsMarker: true, ExpiresAt: 0, _clock.GetTimestamp(), EntryOverhead);
        while (true)
        {
            if (_products.TryGetValue(id, out var current))
            {
                if (current.Revision >= revision)
                {
                    return; // that revision or a newer one is already known
                }
                if (_products.TryUpdate(id, marker, current))
                {
                    Interlocked.Add(ref _productBytes, marker.Size - current.Size);
                    return;
                }
            }
            else if (_products.TryAdd(id, marker))
            {
                // Markers ignore the budget: dropping one could let a stale load back in.
                Interlocked.Add(ref _productBytes, marker.Size);
                return;
            }
        }
    }

    public bool TryGetPage(PageKey key, out Page page) =>
        _pages.TryGetValue(key, out page!) && _serving
        && page.Generation == Volatile.Read(ref _listGeneration) && _clock.GetTimestamp() < page.ExpiresAt;

    public void StorePage(Ticket ticket, PageKey key, Guid[] ids, string nextToken)
    {
        var now = _clock.GetTimestamp();
        if (!ticket.Serving || now >= ticket.Started + _ttl || Volatile.Read(ref _listGeneration) != ticket.ListGeneration)
        {
            return;
        }
        var page = new Page(ids, nextToken, ticket.ListGeneration, ticket.Started + _ttl,
            EntryOverhead + (ids.Length * 16) + ((key.Token.Length + key.Query.Length + key.Category.Length + nextToken.Length) * 2));
        if (Volatile.Read(ref _pageBytes) + page.Size > _options.MaxPageBytes)
        {
            return;
        }
        if (_pages.TryGetValue(key, out var current))
        {
            if (_pages.TryUpdate(key, page, current))
            {
                Interlocked.Add(ref _pageBytes, page.Size - current.Size);
            }
        }
        else if (_pages.TryAdd(key, page))
        {
            Interlocked.Add(ref _pageBytes, page.Size);
        }
        if (Volatile.Read(ref _epoch) != ticket.Epoch && _pages.TryRemove(KeyValuePair.Create(key, page)))
        {
            Interlocked.Add(ref _pageBytes, -page.Size);
        }
    }

    /// <summary>The listener is listening: from now on every change is heard, so the cache may serve.</summary>
    public void StartServing()
    {
        Clear();
        _serving = true;
    }

    /// <summary>Changes can no longer be heard: forget everything and serve nothing until <see cref="StartServing"/>.</summary>
    public void StopServing()
    {
        _serving = false;
        Clear();
    }

    /// <summary>Forgets everything (a lost connection, a TRUNCATE); loads under way are not stored.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _epoch);
        Interlocked.Increment(ref _listGeneration);
        foreach (var item in _products)
        {
            Remove(item.Key, item.Value);
        }
        foreach (var item in _pages)
        {
            if (_pages.TryRemove(item))
            {
                Interlocked.Add(ref _pageBytes, -item.Value.Size);
            }
        }
    }

    /// <summary>Entries and markers older than the TTL, and pages of an older generation, make room.</summary>
    internal void Sweep()
    {
        var now = _clock.GetTimestamp();
        foreach (var item in _products)
        {
            // Born + TTL, not ExpiresAt: a marker must outlive every load that began before it.
            if (now >= item.Value.Born + _ttl)
            {
                Remove(item.Key, item.Value);
            }
        }
        var generation = Volatile.Read(ref _listGeneration);
        foreach (var item in _pages)
        {
            if ((now >= item.Value.ExpiresAt || item.Value.Generation != generation) && _pages.TryRemove(item))
            {
                Interlocked.Add(ref _pageBytes, -item.Value.Size);
            }
        }
        CacheMetrics.Bytes.WithLabels("product").Set(Volatile.Read(ref _productBytes));
        CacheMetrics.Bytes.WithLabels("page").Set(Volatile.Read(ref _pageBytes));
    }

    private void Remove(Guid id, Entry entry)
    {
        if (_products.TryRemove(KeyValuePair.Create(id, entry)))
        {
            Interlocked.Add(ref _productBytes, -entry.Size);
        }
    }

    public void Dispose() => _sweeper.Dispose();
}
