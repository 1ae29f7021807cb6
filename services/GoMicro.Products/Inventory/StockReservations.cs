using System.Diagnostics;
using GoMicro.Events.V1;
using GoMicro.Messaging.Outbox;
using GoMicro.Products.Catalog;
using GoMicro.Products.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Npgsql;

namespace GoMicro.Products.Inventory;

/// <summary>
/// Stock held for payments: reserve before the charge, commit when the payment succeeds,
/// release when it fails or the hold expires. Every step is keyed by the payment id and
/// idempotent. Commit and release lock the reservation row first, then the product rows in id
/// order, so steps for one payment are serialized and two payments cannot deadlock; a reserve
/// is one statement that locks the product rows in id order and inserts the reservation
/// without waiting on an existing one (ON CONFLICT DO NOTHING). Stock never goes below zero (a
/// check constraint says so too). Commit and release run in the caller's transaction (the
/// inbox's, for events) or their own; a reserve commits on its own.
/// </summary>
public sealed class StockReservations(ProductsDbContext db, ProductCache cache, StockAnnouncer announcer, TimeProvider clock)
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MaxTtl = TimeSpan.FromHours(1);

    /// <summary>
    /// Holds every line or none, for <paramref name="holder"/>. Throws FAILED_PRECONDITION naming
    /// each short line, PERMISSION_DENIED when another caller holds this payment id.
    /// </summary>
    /// <remarks>
    /// One statement takes the stock and records the hold (<see cref="TakeSql"/>), committed on
    /// its own: the product rows are locked only while PostgreSQL runs it, never across a round
    /// trip to this service. Checkouts of the same popular products queue on those rows, so how
    /// long a lock is held bounds them all (BENCHMARKS.md). The StockChanged events follow, in
    /// batches (<see cref="StockAnnouncer"/>); the hold's flag keeps them owed until written, so
    /// a crash in between delays them but never loses them.
    /// </remarks>
    public async Task<DateTimeOffset> ReserveAsync(Guid paymentId, IReadOnlyDictionary<Guid, int> wanted, TimeSpan ttl, Guid holder, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNowForPostgres();
        var expiresAt = now + ttl;
        var locked = await TakeAsync(paymentId, wanted, holder, expiresAt, now, cancellationToken);
        if (locked.Any(l => l.Revision is not null))
        {
            foreach (var line in locked)
            {
                cache.Invalidate(line.Id, line.Revision!.Value, listing: false);
            }
            InventoryMetrics.Reserved.Inc(wanted.Values.Sum());
            announcer.Wake();
            return expiresAt;
        }

        // Nothing was taken. Either this payment holds a reservation already (a retry, earlier or
        // concurrent: that reservation is the answer), or a line is short.
        if (await db.StockReservations.AsNoTracking().FirstOrDefaultAsync(r => r.PaymentId == paymentId, cancellationToken) is { } existing)
        {
            return Existing(existing, holder);
        }
        var found = locked.ToDictionary(l => l.Id);
        throw RpcErrors.FailedPrecondition("stock: " + string.Join("; ", wanted
            .Where(w => !found.TryGetValue(w.Key, out var l) || l.Stock < w.Value)
            .Select(w => found.TryGetValue(w.Key, out var l)
                ? $"only {l.Stock} of '{l.Name}' ({w.Key}) available, the basket wants {w.Value}"
                : $"product {w.Key} is no longer sold")));
    }

    /// <summary>
    /// Locks the wanted products in id order (two reservations cannot deadlock), and only if
    /// every line can be filled takes them all and records the hold; a payment id that holds a
    /// reservation already takes nothing (ON CONFLICT). Returns each live wanted product with its
    /// stock as locked and, when taken, its new revision.
    /// </summary>
    private const string TakeSql = """
        WITH wanted AS (
            SELECT * FROM unnest($1::uuid[], $2::integer[]) AS w(product_id, quantity)),
        locked AS (
            SELECT p.id, p.name, p.stock FROM products p
            WHERE p.id = ANY($1) AND p.deleted_at IS NULL
            ORDER BY p.id
            FOR UPDATE),
        enough AS (
            SELECT count(*) = cardinality($1) AS ok FROM locked l JOIN wanted w ON w.product_id = l.id WHERE l.stock >= w.quantity),
        reservation AS (
            INSERT INTO stock_reservations (payment_id, held_by, state, expires_at, created_at, updated_at, stock_events_pending, trace_parent)
            SELECT $3, $4, 'Held', $5, $6, $6, TRUE, $7 FROM enough WHERE ok
            ON CONFLICT (payment_id) DO NOTHING
            RETURNING payment_id),
        lines AS (
            INSERT INTO stock_reservation_lines (payment_id, product_id, quantity)
            SELECT r.payment_id, w.product_id, w.quantity FROM reservation r CROSS JOIN wanted w),
        taken AS (
            UPDATE products p SET stock = p.stock - w.quantity, revision = p.revision + 1, updated_at = $6
            FROM wanted w, reservation r
            WHERE p.id = w.product_id
            RETURNING p.id, p.revision)
        SELECT l.id, l.name, l.stock, t.revision FROM locked l LEFT JOIN taken t ON t.id = l.id
        """;

    private sealed record LockedProduct(Guid Id, string Name, int Stock, long? Revision);

    private async Task<List<LockedProduct>> TakeAsync(
        Guid paymentId, IReadOnlyDictionary<Guid, int> wanted, Guid holder, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand(TakeSql, (NpgsqlConnection)db.Database.GetDbConnection())
            {
                Parameters =
                {
                    new() { Value = wanted.Keys.ToArray() },
                    new() { Value = wanted.Values.ToArray() },
                    new() { Value = paymentId },
                    new() { Value = holder },
                    new() { Value = expiresAt },
                    new() { Value = now },
                    new() { Value = Activity.Current is { IdFormat: ActivityIdFormat.W3C } trace ? trace.Id : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar },
                },
            };
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var locked = new List<LockedProduct>();
            while (await reader.ReadAsync(cancellationToken))
            {
                locked.Add(new(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), await reader.IsDBNullAsync(3, cancellationToken) ? null : reader.GetInt64(3)));
            }
            return locked;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// The payment succeeded: its held stock is sold. When the hold had expired (or never
    /// existed) the stock is taken now if it is there; otherwise StockReservationFailed asks
    /// payments to refund. In the caller's transaction. True when this call sold the stock; false
    /// for a redelivery of a settled payment and for a refund.
    /// </summary>
    public async Task<bool> CommitAsync(Guid paymentId, IReadOnlyDictionary<Guid, int> paid, CancellationToken cancellationToken)
    {
        // The usual case, a hold still held, in one statement with no read before it. Its row
        // lock orders it with the expiry sweeper as the read below would: when the sweeper
        // released the hold first, the statement finds no held row and the path below decides.
        var now = clock.GetUtcNowForPostgres();
        var sold = await db.Database.SqlQuery<long>($"""
            UPDATE stock_reservations SET state = 'Committed', updated_at = {now}
            WHERE payment_id = {paymentId} AND state = 'Held'
            RETURNING (SELECT coalesce(sum(quantity), 0) FROM stock_reservation_lines WHERE payment_id = {paymentId}) AS "Value"
            """).ToListAsync(cancellationToken);
        if (sold.Count == 1)
        {
            InventoryMetrics.Sold.Inc(sold[0]);
            return true;
        }

        var reservation = await LockAsync(paymentId, cancellationToken);
        if (reservation?.State is ReservationState.Committed or ReservationState.Unfilled)
        {
            return false; // settled already: a redelivery (or a replay after the inbox row is gone) changes nothing
        }
        if (reservation?.State == ReservationState.Held)
        {
            reservation.State = ReservationState.Committed;
            reservation.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            InventoryMetrics.Sold.Inc(reservation.Lines.Sum(l => l.Quantity));
            return true;
        }

        // Released (expired while the charge was pending) or never reserved: take it now or refund.
        var products = await LockProductsAsync(paid.Keys, cancellationToken);
        var shortLines = ShortLines(paid, products);
        var filled = shortLines.Count == 0 && paid.Count > 0;
        if (reservation is null)
        {
            reservation = new StockReservation { PaymentId = paymentId, CreatedAt = now };
            db.StockReservations.Add(reservation);
        }
        reservation.Lines = [.. paid.Select(w => new ReservedLine { ProductId = w.Key, Quantity = w.Value })];
        reservation.ExpiresAt = reservation.UpdatedAt = now;
        if (filled)
        {
            Take(products, paid, now);
            reservation.State = ReservationState.Committed;
            reservation.Reason = null;
            InventoryMetrics.Sold.Inc(paid.Values.Sum());
        }
        else
        {
            reservation.State = ReservationState.Unfilled;
            reservation.Reason = "stock gone when the payment succeeded; refund requested";
            db.AddEvent(new StockReservationFailed { PaymentId = paymentId.ToString(), ShortLines = { shortLines }, OccurredAt = Timestamp.FromDateTimeOffset(now) });
            InventoryMetrics.ReservationsFailed.Inc();
        }
        await db.SaveChangesAsync(cancellationToken);
        return filled;
    }

    /// <summary>
    /// A caller giving back its own hold (payments, when a charge is not made). Someone
    /// else's reservation is PERMISSION_DENIED: knowing a payment id is no right to its stock.
    /// </summary>
    public async Task<bool> ReleaseForAsync(Guid paymentId, Guid holder, string reason, CancellationToken cancellationToken)
    {
        if (await LockAsync(paymentId, cancellationToken) is { } reservation)
        {
            EnsureHolder(reservation, holder);
        }
        return await ReleaseAsync(paymentId, reason, cancellationToken);
    }

    /// <summary>
    /// The answer to a reserve call that finds this payment's reservation already made (a retry,
    /// at the start or concurrently): the hold's expiry, or FAILED_PRECONDITION when it was
    /// released meanwhile, since a released hold holds nothing to charge for.
    /// </summary>
    private static DateTimeOffset Existing(StockReservation reservation, Guid holder)
    {
        EnsureHolder(reservation, holder);
        return reservation.State == ReservationState.Released
            ? throw RpcErrors.FailedPrecondition($"stock: the reservation of payment {reservation.PaymentId} was released ({reservation.Reason}); check out again")
            : reservation.ExpiresAt;
    }

    private static void EnsureHolder(StockReservation reservation, Guid holder)
    {
        if (reservation.HeldBy is { } heldBy && heldBy != holder)
        {
            throw RpcErrors.PermissionDenied($"the stock of payment {reservation.PaymentId} is held by another caller");
        }
    }

    /// <summary>Returns held stock; a committed or already released reservation is left as it is. In the caller's transaction.</summary>
    public async Task<bool> ReleaseAsync(Guid paymentId, string reason, CancellationToken cancellationToken)
    {
        if (await LockAsync(paymentId, cancellationToken) is not { State: ReservationState.Held } reservation)
        {
            return false;
        }
        var now = clock.GetUtcNowForPostgres();
        var products = await LockProductsAsync(reservation.Lines.Select(l => l.ProductId), cancellationToken);
        foreach (var line in reservation.Lines)
        {
            if (products.TryGetValue(line.ProductId, out var product))
            {
                var wasAvailable = product.Available;
                product.Stock += line.Quantity;
                product.Changed(now);
                db.AddEvent(product.ToStockChanged());
                if (!wasAvailable && product.DeletedAt is null)
                {
                    db.AddEvent(product.ToUpdated());
                }
            }
        }
        reservation.State = ReservationState.Released;
        reservation.Reason = reason.Length > 200 ? reason[..200] : reason;
        reservation.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        InventoryMetrics.Released.WithLabels(reason.StartsWith("expired", StringComparison.Ordinal) ? "expired" : "payment_failed").Inc(reservation.Lines.Sum(l => l.Quantity));
        return true;
    }

    private Task<StockReservation?> LockAsync(Guid paymentId, CancellationToken cancellationToken) =>
        db.StockReservations
            .FromSqlInterpolated($"SELECT * FROM stock_reservations WHERE payment_id = {paymentId} FOR UPDATE")
            .FirstOrDefaultAsync(cancellationToken);

    private Task<Dictionary<Guid, Product>> LockProductsAsync(IEnumerable<Guid> productIds, CancellationToken cancellationToken)
    {
        var ids = productIds.Distinct().Order().ToArray();
        return db.Products
            .FromSqlInterpolated($"SELECT *, xmin FROM products WHERE id = ANY({ids}) ORDER BY id FOR UPDATE")
            .IgnoreQueryFilters()
            .ToDictionaryAsync(p => p.Id, cancellationToken);
    }

    private static List<StockReservationFailed.Types.ShortLine> ShortLines(IReadOnlyDictionary<Guid, int> wanted, Dictionary<Guid, Product> products) =>
        [.. wanted
            .Where(w => !products.TryGetValue(w.Key, out var p) || p.DeletedAt is not null || p.Stock < w.Value)
            .Select(w => new StockReservationFailed.Types.ShortLine
            {
                ProductId = w.Key.ToString(),
                Wanted = w.Value,
                Available = products.TryGetValue(w.Key, out var p) && p.DeletedAt is null ? p.Stock : 0,
            })];

    private void Take(Dictionary<Guid, Product> products, IReadOnlyDictionary<Guid, int> wanted, DateTimeOffset now)
    {
        foreach (var (id, quantity) in wanted)
        {
            var product = products[id];
            product.Stock -= quantity;
            product.Changed(now);
            db.AddEvent(product.ToStockChanged());
            if (!product.Available)
            {
                db.AddEvent(product.ToUpdated());
            }
        }
    }
}
