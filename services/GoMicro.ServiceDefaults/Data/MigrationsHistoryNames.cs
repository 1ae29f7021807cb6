using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Migrations.Internal;

namespace GoMicro.ServiceDefaults.Data;

#pragma warning disable EF1001 // Npgsql's history repository is internal API; overriding its table is the documented way to shape the history table.
/// <summary>
/// The migrations history table as EF Core names it, whatever naming convention the model uses:
/// <c>"__EFMigrationsHistory"("MigrationId", "ProductVersion")</c>. The snake_case convention
/// would otherwise rename its columns too (EFCore.NamingConventions issue #1), and every
/// existing database would fail at start-up looking for <c>migration_id</c>.
/// </summary>
internal sealed class MigrationsHistoryNames(HistoryRepositoryDependencies dependencies) : NpgsqlHistoryRepository(dependencies)
{
    protected override void ConfigureTable(EntityTypeBuilder<HistoryRow> history)
    {
        base.ConfigureTable(history);
        history.HasKey(h => h.MigrationId).HasName("PK___EFMigrationsHistory");
        history.Property(h => h.MigrationId).HasColumnName("MigrationId");
        history.Property(h => h.ProductVersion).HasColumnName("ProductVersion");
    }
}
#pragma warning restore EF1001
