using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace GoMicro.ServiceDefaults.Data;

/// <summary>
/// EF Core sends a SAVEPOINT before every SaveChanges inside an explicit transaction, so that a
/// failed save leaves the transaction usable. No service continues a transaction after a failed
/// save (each rolls the whole transaction back, or lets it go), so the savepoint is a round trip
/// per save for nothing: two to three per checkout in products alone.
/// </summary>
internal sealed class NoAutoSavepoints : DbTransactionInterceptor
{
    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Disable(eventData);
        return result;
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        Disable(eventData);
        return ValueTask.FromResult(result);
    }

    private static void Disable(TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context)
        {
            context.Database.AutoSavepointsEnabled = false;
        }
    }
}
