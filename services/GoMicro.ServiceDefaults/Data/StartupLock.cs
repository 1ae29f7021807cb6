using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace GoMicro.ServiceDefaults.Data;

/// <summary>
/// Serialises a service's start-up work on its database (migrations, seeding) across its
/// replicas: a PostgreSQL session advisory lock, held on the DbContext's own connection while
/// the work runs. Replicas that start together take turns, so migrations are applied once and
/// a "seed when empty" check and its inserts are never interleaved with another replica's.
/// Advisory locks belong to one database, so each service's database has its own.
/// </summary>
public static class StartupLock
{
    /// <summary>"gomicro" in ASCII: the advisory lock key of start-up work.</summary>
    public const long Key = 0x676f6d6963726f;

    /// <summary>How long a replica waits for another to finish its start-up work before it fails (and retries).</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromMinutes(10);

    public static async Task RunAsync(DbContext db, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await ExecuteAsync(db, "SELECT pg_advisory_lock(@key)", cancellationToken);
            try
            {
                await work(cancellationToken);
            }
            finally
            {
                // Not cancellable: a lock left behind would hold back every other replica.
                // Should the connection be gone, so is the session and its lock.
                await ExecuteAsync(db, "SELECT pg_advisory_unlock(@key)", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Creates the service's database when it does not exist yet: the lock lives in that database,
    /// so it must exist before the lock can be taken (MigrateAsync would create it, but only after).
    /// </summary>
    public static async Task EnsureDatabaseAsync(DbContext db, CancellationToken cancellationToken)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (await creator.ExistsAsync(cancellationToken))
        {
            return;
        }
        try
        {
            await creator.CreateAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another replica created it between our check and our CREATE DATABASE.
        }
    }

    private static async Task ExecuteAsync(DbContext db, string sql, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = (int)Wait.TotalSeconds;
        var key = command.CreateParameter();
        key.ParameterName = "key";
        key.Value = Key;
        command.Parameters.Add(key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
