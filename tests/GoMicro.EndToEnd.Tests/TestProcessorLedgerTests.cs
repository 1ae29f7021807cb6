using GoMicro.Payments.Infrastructure;
using GoMicro.Payments.Providers;
using GoMicro.ServiceDefaults.Data;
using GoMicro.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// The test processor's ledger is its own context and schema, not a table of payments' model;
/// a database migrated before the split keeps the charges it holds.
/// </summary>
public sealed class TestProcessorLedgerTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Charges_made_before_the_ledger_had_its_own_context_are_still_found_after_migrating()
    {
        await using var services = new ServiceCollection()
            .AddDbContext<PaymentsDbContext>(o => o.UseServicePostgres(database.ConnectionString))
            .AddDbContext<TestProcessorLedger>(o => o.UseServicePostgres(database.ConnectionString, TestProcessorLedger.Schema))
            .BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
        {
            // The payments database as it was: the ledger a table of payments' own migrations.
            await scope.ServiceProvider.GetRequiredService<PaymentsDbContext>().GetService<IMigrator>().MigrateAsync("20261201020239_RefundsAndBasketVersion");
        }
        var paymentId = Guid.NewGuid();
        await database.ExecuteAsync($"INSERT INTO test_processor_charges (reference, payment_id, amount_cents, currency, charged_at) VALUES ('ch_before_{paymentId:N}', '{paymentId}', 1200, 'EUR', now())");

        await using (var scope = services.CreateAsyncScope())
        {
            // In the order the service migrates them: payments, then the ledger beside it.
            await scope.ServiceProvider.GetRequiredService<PaymentsDbContext>().Database.MigrateAsync();
            await scope.ServiceProvider.GetRequiredService<TestProcessorLedger>().Database.MigrateAsync();
        }

        Assert.Null(await database.ScalarAsync<string>("SELECT to_regclass('public.test_processor_charges')::text"));
        Assert.Equal(1, await database.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges WHERE payment_id = '{paymentId}'"));
        Assert.Equal(1, await database.ScalarAsync<long>("SELECT count(*) FROM test_processor.\"__EFMigrationsHistory\""));
        var processor = new TestPaymentProcessor(services.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System, new TestProcessorOptions());
        var found = await processor.FindChargeAsync(paymentId, default);
        Assert.Equal(ChargeOutcome.Charged, found.Outcome);
        Assert.Equal($"ch_before_{paymentId:N}", found.Reference);
    }

    [Fact]
    public void Payments_model_holds_no_table_of_the_test_processor()
    {
        using var payments = SchemaDrift.Context<PaymentsDbContext>(o => new PaymentsDbContext(o));
        Assert.Null(payments.Model.FindEntityType(typeof(TestProcessorCharge)));
        Assert.DoesNotContain(payments.Model.GetEntityTypes(), e => e.GetTableName()?.Contains("test_processor", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void The_ledger_model_needs_no_new_migration()
    {
        using var ledger = SchemaDrift.Context<TestProcessorLedger>(o => new TestProcessorLedger(o));
        var pending = SchemaDrift.PendingOperations(ledger);
        Assert.True(pending.Count == 0, "a new migration would hold:" + Environment.NewLine + SchemaDrift.Describe(pending));
    }
}
