using GoMicro.Messaging.Outbox;
using GoMicro.Products.Infrastructure;
using GoMicro.ServiceDefaults.Hosting;

namespace GoMicro.Products.Catalog;

/// <summary>
/// With Products__SeedSampleData=true, fills an empty catalog with believable products (and
/// announces them through the outbox like any other product). Runs after the migrator, under
/// the start-up lock, so replicas starting together seed the catalog once.
/// </summary>
internal sealed partial class SampleCatalog(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<SampleCatalog> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!configuration.GetValue<bool>("Products:SeedSampleData"))
        {
            return;
        }
        await StartupRetry.ExecuteAsync(async token =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ProductsDbContext>();
            await StartupLock.RunAsync(db, t => SeedIfEmptyAsync(db, t), token);
        }, logger, cancellationToken);
    }

    private async Task SeedIfEmptyAsync(ProductsDbContext db, CancellationToken token)
    {
        if (await db.Products.IgnoreQueryFilters().AnyAsync(token))
        {
            return;
        }
        var now = clock.GetUtcNowForPostgres();
        foreach (var item in SampleItems.All)
        {
            var product = new Product
            {
                Id = Guid.CreateVersion7(),
                Name = item.Name,
                Category = item.Category,
                Description = item.Description,
                PriceCents = item.PriceCents,
                Currency = "EUR",
                Stock = item.Stock,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Products.Add(product);
            db.AddEvent(product.ToCreated());
        }
        await db.SaveChangesAsync(token);
        LogSeeded(logger, SampleItems.All.Length);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded the sample catalog ({Count} products)")]
    private static partial void LogSeeded(ILogger logger, int count);
}
