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
/// idempotent, and locks the reservation row first, then the product rows in id order, so
/// steps for one payment are serialized and two payments cannot deadlock. Stock never goes
/// below zero (a check constraint says so too). Each method runs in the caller's transaction
/// (the inbox's, for events) or its own, and saves through the context.
/// </summary>
public sealed class StockReservations(ProductsDbContext db, TimeProvider clock)
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MaxTtl = TimeSpan.FromHours(1);

    /// <summary>
    /// Holds every line or none, for <paramref name="holder"/>. Throws FAILED_PRECONDITION naming
    /// each short line, PERMISSION_DENIED when another caller holds this payment id.
    /// </summary>
    public async Task<DateTimeOffset> ReserveAsync(Guid paymentId, IReadOnlyDictionary<Guid, int> wanted, TimeSpan ttl, Guid holder, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await LockAsync(paymentId, cancellationToken) is { } existing)
        {
            return Existing(existing, holder);
        }

        var products = await LockProductsAsync(wanted.Keys, cancellationToken);
        var shortLines = ShortLines(wanted, products);
        if (shortLines.Count > 0)
        {
            // A concurrent call for this payment (a retry) may have reserved while this one waited
            // for the product rows: then that reservation is the answer, not a shortage. Looked
            // for only here, not on every call: the product rows stay locked until the commit,
            // and each statement while they are held keeps other checkouts of them waiting.
            // (Without a shortage, a concurrent reservation is found by the unique key below.)
            if (await db.StockReservations.AsNoTracking().FirstOrDefaultAsync(r => r.PaymentId == paymentId, cancellationToken) is { } concurrent)
            {
                return Existing(concurrent, holder);
            }
            throw RpcErrors.FailedPrecondition("stock: " + string.Join("; ", shortLines.Select(l =>
                products.TryGetValue(Guid.Parse(l.ProductId), out var p)
                    ? $"only {l.Available} of '{p.Name}' ({l.ProductId}) available, the basket wants {l.Wanted}"
                    : $"product {l.ProductId} is no longer sold")));
        }

        var now = clock.GetUtcNowForPostgres();
        Take(products, wanted, now);
        var reservation = new StockReservation
        {
            PaymentId = paymentId,
            HeldBy = holder,
            State = ReservationState.Held,
            Lines = [.. wanted.Select(w => new ReservedLine { ProductId = w.Key, Quantity = w.Value })],
            ExpiresAt = now + ttl,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.StockReservations.Add(reservation);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The same payment reserved concurrently (a retried call): that one holds the stock.
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            return Existing(await db.StockReservations.AsNoTracking().FirstAsync(r => r.PaymentId == paymentId, cancellationToken), holder);
        }
        InventoryMetrics.Reserved.Inc(wanted.Values.Sum());
        return reservation.ExpiresAt;
    }

    /// <summary>
    /// The payment succeeded: its held stock is sold. When the hold had expired (or never
    /// existed) the stock is taken now if it is there; otherwise StockReservationFailed asks
    /// payments to refund. In the caller's transaction. True when this call sold the stock; false
    /// for a redelivery of a settled payment and for a refund.
    /// </summary>
    public async Task<bool> CommitAsync(Guid paymentId, IReadOnlyDictionary<Guid, int> paid, CancellationToken cancellationToken)
    {
        var reservation = await LockAsync(paymentId, cancellationToken);
        if (reservation?.State is ReservationState.Committed or ReservationState.Unfilled)
        {
            return false; // settled already: a redelivery (or a replay after the inbox row is gone) changes nothing
        }
        var now = clock.GetUtcNowForPostgres();
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
