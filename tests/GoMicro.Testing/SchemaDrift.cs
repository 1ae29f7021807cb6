using GoMicro.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace GoMicro.Testing;

/// <summary>
/// What `dotnet ef migrations add` would put in a new migration: the difference between a
/// context's last migration snapshot and its model as the services build it. Empty when the
/// model and the migrations agree. No database is contacted.
/// </summary>
public static class SchemaDrift
{
    /// <summary>A context of <typeparamref name="TContext"/> configured as the services configure theirs.</summary>
    public static TContext Context<TContext>(Func<DbContextOptions<TContext>, TContext> create) where TContext : DbContext =>
        create(new DbContextOptionsBuilder<TContext>().UseServicePostgres("Host=127.0.0.1;Database=drift").Options);

    public static IReadOnlyList<MigrationOperation> PendingOperations(DbContext context)
    {
        var snapshot = context.GetService<IMigrationsAssembly>().ModelSnapshot?.Model;
        if (snapshot is IMutableModel mutable)
        {
            snapshot = mutable.FinalizeModel();
        }
        if (snapshot is not null)
        {
            snapshot = context.GetService<IModelRuntimeInitializer>().Initialize(snapshot);
        }
        return context.GetService<IMigrationsModelDiffer>().GetDifferences(
            snapshot?.GetRelationalModel(), context.GetService<IDesignTimeModel>().Model.GetRelationalModel());
    }

    /// <summary>One line per operation, for an assertion message.</summary>
    public static string Describe(IEnumerable<MigrationOperation> operations) =>
        string.Join(Environment.NewLine, operations.Select(o => o switch
        {
            RenameIndexOperation r => $"{o.GetType().Name} {r.Table}: {r.Name} -> {r.NewName}",
            RenameColumnOperation r => $"{o.GetType().Name} {r.Table}: {r.Name} -> {r.NewName}",
            ColumnOperation c => $"{o.GetType().Name} {c.Table}.{c.Name}",
            TableOperation t => $"{o.GetType().Name} {t.Name}",
            DropTableOperation t => $"{o.GetType().Name} {t.Name}",
            CreateIndexOperation i => $"{o.GetType().Name} {i.Table}: {i.Name}",
            DropIndexOperation i => $"{o.GetType().Name} {i.Table}: {i.Name}",
            AddPrimaryKeyOperation k => $"{o.GetType().Name} {k.Table}: {k.Name}",
            DropPrimaryKeyOperation k => $"{o.GetType().Name} {k.Table}: {k.Name}",
            AddForeignKeyOperation k => $"{o.GetType().Name} {k.Table}: {k.Name}",
            DropForeignKeyOperation k => $"{o.GetType().Name} {k.Table}: {k.Name}",
            _ => o.GetType().Name,
        }));
}
