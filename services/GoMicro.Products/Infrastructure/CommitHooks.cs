using System.Data.Common;
using GoMicro.Products.Catalog;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace GoMicro.Products.Infrastructure;

/// <summary>
/// Runs <see cref="ProductsDbContext.AfterCommit"/> actions when the write is durable, and tells
/// this replica's <see cref="ProductCache"/> about every product it changes: a writer's next read
/// here sees its write at once, before the database's notification arrives (which tells the
/// other replicas). EF Core runs a single-command SaveChanges without a transaction, so "committed"
/// is either the transaction's commit or the end of such a SaveChanges. (Not cleared when a
/// transaction starts: SaveChanges starts its own after SavingChanges has collected the changes.
/// A transaction disposed without a commit leaves its actions to the next commit of the same
/// request's context, if any: an extra invalidation, never a missing one; the context drops them
/// when the request ends, before the pool lends it again.)
/// </summary>
internal sealed class CommitHooks(ProductCache cache) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    // What a page's membership or order depends on (search, category filter, sort, deletion).
    private static readonly string[] ListingProperties =
        [nameof(Product.Name), nameof(Product.Description), nameof(Product.Category), nameof(Product.PriceCents), nameof(Product.DeletedAt)];

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        CollectProductChanges(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        CollectProductChanges(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        RunIfCommitted(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        RunIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => DiscardIfNoTransaction(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        DiscardIfNoTransaction(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        (eventData.Context as ProductsDbContext)?.RunAfterCommit();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        (eventData.Context as ProductsDbContext)?.RunAfterCommit();
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        (eventData.Context as ProductsDbContext)?.DiscardAfterCommit();

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        (eventData.Context as ProductsDbContext)?.DiscardAfterCommit();
        return Task.CompletedTask;
    }

    private void CollectProductChanges(DbContext? context)
    {
        if (context is not ProductsDbContext db)
        {
            return;
        }
        foreach (var entry in db.ChangeTracker.Entries<Product>())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }
            var (id, revision) = (entry.Entity.Id, entry.Entity.Revision);
            var listing = entry.State != EntityState.Modified || ListingProperties.Any(p => entry.Property(p).IsModified);
            db.AfterCommit(() => cache.Invalidate(id, revision, listing));
        }
    }

    private static void RunIfCommitted(DbContext? context)
    {
        if (context is ProductsDbContext { Database.CurrentTransaction: null } db)
        {
            db.RunAfterCommit();
        }
    }

    private static void DiscardIfNoTransaction(DbContext? context)
    {
        if (context is ProductsDbContext { Database.CurrentTransaction: null } db)
        {
            db.DiscardAfterCommit();
        }
    }
}
