using GoMicro.Products.Infrastructure;

namespace GoMicro.Products.Catalog;

/// <summary>
/// Compiles the hot catalog queries once at start-up (EF Core builds a query on first use,
/// which can take hundreds of milliseconds), so the first GetProducts from basket or
/// payments after a deploy is not the one that pays for it and trips their tight budgets.
/// Registered after the migrator; a database that is not there yet just skips it.
/// </summary>
internal sealed partial class CatalogWarmup(IServiceScopeFactory scopes, ILogger<CatalogWarmup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ProductsDbContext>();
            List<Guid> none = [Guid.Empty];
            await db.Products.AsNoTracking().Where(p => none.Contains(p.Id)).ToListAsync(cancellationToken);
            // The shapes CatalogReads uses on a cache miss.
            await db.Products.IgnoreQueryFilters().AsNoTracking().Where(p => none.Contains(p.Id)).ToListAsync(cancellationToken);
            await db.Products.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(p => p.Id == Guid.Empty, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSkipped(logger, ex.GetBaseException().Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Catalog warm-up skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string reason);
}
