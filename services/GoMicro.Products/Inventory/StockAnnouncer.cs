using System.Diagnostics;
using GoMicro.Messaging.Outbox;
using GoMicro.Products.Catalog;
using GoMicro.Products.Infrastructure;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GoMicro.Products.Inventory;

/// <summary>
/// Writes the stock events that reservations owe (<see cref="StockReservation.StockEventsPending"/>)
/// to the outbox: woken by a reservation, it waits <see cref="ReservationOptions.AnnounceDelay"/>
/// for the reservations that follow, and it sweeps every interval for those a stopped replica
/// left. A batch claims up to <see cref="BatchSize"/> reservations (SKIP LOCKED, so replicas share them) and writes, for each product they took, one StockChanged, and a
/// ProductUpdated when it ran out, from the product as it is now. The events carry state, not
/// deltas, so a busy product's reservations of one batch make one event (its latest revision;
/// a consumer keeps the highest). The claim and the events commit together: written once. Each
/// event continues the trace of the latest reservation it announces.
/// </summary>
public sealed partial class StockAnnouncer(
    IServiceScopeFactory scopes, IOptions<ReservationOptions> options, TimeProvider clock, ILogger<StockAnnouncer> logger) : PollingWorker(clock, logger)
{
    public const int BatchSize = 200;

    protected override TimeSpan Interval => options.Value.SweepInterval;

    // True while batches come back full: the next one follows at once, undelayed. After a batch
    // that was not full, reservations that came meanwhile have woken the worker again, and it
    // gathers for AnnounceDelay before the next claim, however busy the shop is.
    private bool _draining;

    protected override async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!_draining && options.Value.AnnounceDelay > TimeSpan.Zero)
        {
            // Woken by the first reservation of a burst: the ones of the next moments join its batch.
            await Task.Delay(options.Value.AnnounceDelay, Clock, cancellationToken);
        }
        _draining = await AnnounceBatchAsync(cancellationToken) == BatchSize;
        return _draining;
    }

    /// <summary>Writes one batch; returns how many reservations it announced (0 when none owed anything).</summary>
    internal async Task<int> AnnounceBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProductsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await ClaimAsync(db, cancellationToken);
        if (claimed.Count == 0)
        {
            return 0;
        }
        var ids = claimed.Select(c => c.ProductId).Distinct().ToList();
        var products = await db.Products.IgnoreQueryFilters().AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(cancellationToken);
        foreach (var product in products)
        {
            // The trace of the latest reservation of the product in this batch, the one whose
            // change this state includes last.
            var trace = claimed.Where(c => c.ProductId == product.Id).MaxBy(c => c.CreatedAt)?.TraceParent;
            Continue(db.AddEvent(product.ToStockChanged()), trace);
            if (!product.Available && product.DeletedAt is null)
            {
                Continue(db.AddEvent(product.ToUpdated()), trace);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var reservations = claimed.Select(c => c.PaymentId).Distinct().Count();
        LogAnnounced(logger, products.Count, reservations);
        return reservations;
    }

    private sealed record ClaimedLine(Guid PaymentId, Guid ProductId, DateTimeOffset CreatedAt, string? TraceParent);

    /// <summary>Clears the flag of up to <see cref="BatchSize"/> owing reservations (in the caller's transaction) and returns their lines.</summary>
    private static async Task<List<ClaimedLine>> ClaimAsync(ProductsDbContext db, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            WITH claimed AS (
                UPDATE stock_reservations SET stock_events_pending = FALSE
                WHERE payment_id IN (
                    SELECT payment_id FROM stock_reservations WHERE stock_events_pending
                    ORDER BY created_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED)
                RETURNING payment_id, created_at, trace_parent)
            SELECT c.payment_id, l.product_id, c.created_at, c.trace_parent
            FROM claimed c JOIN stock_reservation_lines l ON l.payment_id = c.payment_id
            """, (NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lines = new List<ClaimedLine>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(new(reader.GetGuid(0), reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(2), await reader.IsDBNullAsync(3, cancellationToken) ? null : reader.GetString(3)));
        }
        return lines;
    }

    private static void Continue(OutboxMessage message, string? traceParent)
    {
        if (traceParent is null || !ActivityContext.TryParse(traceParent, null, out var context))
        {
            return;
        }
        message.TraceParent = traceParent;
        message.TraceState = null;
        message.CorrelationId = context.TraceId.ToString();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stock events written for {Products} products ({Reservations} reservations)")]
    private static partial void LogAnnounced(ILogger logger, int products, int reservations);
}
