using GoMicro.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GoMicro.ServiceDefaults.Data;

/// <summary>
/// Applies migrations before the service takes traffic, waiting for a database that is still
/// starting (a pod often comes up before its database does) rather than crash-looping.
/// Replicas that start together migrate one after the other (<see cref="StartupLock"/>):
/// the first applies the migrations, the others find none pending.
/// </summary>
internal sealed partial class DatabaseMigrator<TContext>(
    IServiceScopeFactory scopes, IOptions<DatabaseOptions> options, ILogger<DatabaseMigrator<TContext>> logger)
    : IHostedService where TContext : DbContext
{
    // EF Core shares one migrations-assembly snapshot model per process and builds it lazily,
    // without a lock; two hosts of one context migrating at once (in-process tests) race on it.
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStartup)
        {
            return;
        }
        await StartupRetry.ExecuteAsync(async token =>
        {
            await OneAtATime.WaitAsync(token);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                await StartupLock.EnsureDatabaseAsync(db, token);
                await StartupLock.RunAsync(db, async t =>
                {
                    var pending = (await db.Database.GetPendingMigrationsAsync(t)).ToList();
                    if (pending.Count > 0)
                    {
                        // Only then: MigrateAsync reads the history again under a lock of its own,
                        // which every start of an up-to-date database would pay for nothing.
                        await db.Database.MigrateAsync(t);
                    }
                    LogMigrated(logger, typeof(TContext).Name, pending.Count);
                }, token);
            }
            finally
            {
                OneAtATime.Release();
            }
        }, logger, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Context}: database migrated ({Applied} migrations applied)")]
    private static partial void LogMigrated(ILogger logger, string context, int applied);
}
