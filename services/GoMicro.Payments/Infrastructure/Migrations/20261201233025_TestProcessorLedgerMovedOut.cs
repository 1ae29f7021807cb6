using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GoMicro.Payments.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class TestProcessorLedgerMovedOut : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // test_processor_charges is the test processor's now (TestProcessorLedger, schema
            // test_processor): that context's first migration moves it there with its rows, so
            // nothing is dropped here. Only when the ledger was migrated first, and this
            // database's InitialCreate then made an empty public copy, does that copy go.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                    IF to_regclass('test_processor.charges') IS NOT NULL
                       AND to_regclass('public.test_processor_charges') IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM public.test_processor_charges) THEN
                        DROP TABLE public.test_processor_charges;
                    END IF;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The ledger's own Down moves the table back.
        }
    }
}
