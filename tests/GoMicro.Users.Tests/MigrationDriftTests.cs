using GoMicro.Testing;
using GoMicro.Users.Infrastructure;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace GoMicro.Users.Tests;

/// <summary>The model (snake_case by convention, a few explicit names) is exactly the schema the migrations made.</summary>
public sealed class MigrationDriftTests
{
    [Fact]
    public void The_users_model_needs_no_new_migration()
    {
        using var db = SchemaDrift.Context<UsersDbContext>(o => new UsersDbContext(o));
        var pending = SchemaDrift.PendingOperations(db);
        Assert.True(pending.Count == 0, "a new migration would hold:" + Environment.NewLine + SchemaDrift.Describe(pending));
    }

    [Fact]
    public void The_migrations_history_table_keeps_ef_cores_names_so_existing_databases_still_migrate()
    {
        using var db = SchemaDrift.Context<UsersDbContext>(o => new UsersDbContext(o));
        var create = db.GetService<IHistoryRepository>().GetCreateScript();
        Assert.Contains("\"__EFMigrationsHistory\"", create, StringComparison.Ordinal);
        Assert.Contains("\"MigrationId\"", create, StringComparison.Ordinal);
        Assert.Contains("\"ProductVersion\"", create, StringComparison.Ordinal);
        Assert.Contains("\"PK___EFMigrationsHistory\"", create, StringComparison.Ordinal);
        Assert.DoesNotContain("migration_id", create, StringComparison.Ordinal);
    }
}
