using System.Net;
using GoMicro.Testing;

namespace GoMicro.Products.Tests;

/// <summary>
/// The anonymous search (ILIKE '%text%' on name or description) is served by trigram indexes,
/// not by reading every product. Its own class, so the bulk catalog it loads stays out of
/// the other tests' database.
/// </summary>
public sealed class SearchIndexTests(ProductsFixture products) : IClassFixture<ProductsFixture>
{
    private const string NameIndex = "ix_products_name_trgm";
    private const string DescriptionIndex = "ix_products_description_trgm";

    [Fact]
    public async Task Substring_search_uses_the_trigram_indexes_on_a_large_catalog_and_still_finds_every_match()
    {
        // Letters the bulk rows (hex digests) never contain, as a real search for a rare word would be.
        var tag = "q" + new string([.. Guid.NewGuid().ToByteArray()[..10].Select(b => (char)('g' + (b % 20)))]);
        await products.CreateAsync($"Lamp {tag} brass");
        await products.CreateAsync($"Chair {tag.ToUpperInvariant()}X");
        var inDescription = await products.Grpc.CreateProductAsync(new V1.CreateProductRequest
        {
            Name = "Plain Mug",
            Description = $"glazed, pattern {tag}",
            Price = new Common.V1.Money { AmountCents = 900, Currency = "EUR" },
            Stock = 1,
        }, products.Admin);
        // 20,000 other products: enough that reading them all costs more than the index.
        await products.Database.ExecuteAsync("""
            INSERT INTO products (id, name, description, category, price_cents, currency, stock, created_at, updated_at)
            SELECT gen_random_uuid(), 'Bulk ' || md5(i::text), 'Filler ' || md5((i * 7)::text), 'bulk', 100 + i, 'EUR', 1, now(), now()
            FROM generate_series(1, 20000) AS i
            """);
        // What autovacuum does after a bulk load: move the new entries out of GIN's pending list and refresh the statistics.
        await products.Database.ExecuteAsync("VACUUM ANALYZE products");

        Assert.Equal(1L, await products.Database.ScalarAsync<long>("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"));
        foreach (var index in new[] { NameIndex, DescriptionIndex })
        {
            var definition = await products.Database.ScalarAsync<string>($"SELECT indexdef FROM pg_indexes WHERE indexname = '{index}'");
            Assert.Contains("USING gin", definition, StringComparison.Ordinal);
            Assert.Contains("gin_trgm_ops", definition, StringComparison.Ordinal);
        }

        // The plan of the service's query (same predicate, order and limit as ListProducts builds).
        var pattern = "%" + tag[2..8] + "%";
        var plan = await products.Database.ScalarAsync<string>($"""
            EXPLAIN (FORMAT JSON) SELECT * FROM products p
            WHERE p.deleted_at IS NULL AND (p.name ILIKE '{pattern}' OR p.description ILIKE '{pattern}')
            ORDER BY p.name, p.id LIMIT 21
            """);
        Assert.Contains(NameIndex, plan, StringComparison.Ordinal);
        Assert.Contains(DescriptionIndex, plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);

        // And the service's own query: the index is scanned, and substrings are found in either column, ignoring case.
        var scansBefore = await IndexScansAsync(NameIndex);
        var (response, body) = await products.SendAsync(HttpMethod.Get, $"/products?query={tag[2..8].ToUpperInvariant()}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var found = body.GetProperty("products").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["Chair " + tag.ToUpperInvariant() + "X", "Lamp " + tag + " brass", "Plain Mug"], found);
        Assert.Equal(inDescription.Id, body.GetProperty("products")[2].GetProperty("id").GetString());
        // Statistics reach pg_stat_user_indexes once the service's connection is idle (PostgreSQL flushes them within seconds).
        await Eventually.UntilAsync(async () => await IndexScansAsync(NameIndex) > scansBefore, seconds: 30, what: "an index scan of " + NameIndex);

        // Short searches, which no trigram can serve, still work.
        var (shortSearch, shortBody) = await products.SendAsync(HttpMethod.Get, "/products?query=ch&pageSize=100");
        Assert.Equal(HttpStatusCode.OK, shortSearch.StatusCode);
        Assert.Contains(shortBody.GetProperty("products").EnumerateArray(), p => p.GetProperty("name").GetString()!.StartsWith("Chair ", StringComparison.Ordinal));
    }

    private async Task<long> IndexScansAsync(string index) =>
        await products.Database.ScalarAsync<long>($"SELECT coalesce(sum(idx_scan), 0)::bigint FROM pg_stat_user_indexes WHERE indexrelname = '{index}'");
}
