using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GoMicro.Payments.Providers.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "test_processor");

            // Until the ledger had a context of its own, payments' migrations kept it in
            // public.test_processor_charges: adopt that table, rows and all (recovery and refunds
            // ask the ledger about charges made before), or create it on a new database.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                    IF to_regclass('public.test_processor_charges') IS NOT NULL THEN
                        ALTER TABLE public.test_processor_charges SET SCHEMA test_processor;
                        ALTER TABLE test_processor.test_processor_charges RENAME TO charges;
                        ALTER INDEX test_processor."PK_test_processor_charges" RENAME TO "PK_charges";
                        ALTER INDEX test_processor."IX_test_processor_charges_payment_id" RENAME TO "IX_charges_payment_id";
                    ELSE
                        CREATE TABLE test_processor.charges (
                            reference character varying(100) NOT NULL,
                            payment_id uuid NOT NULL,
                            amount_cents bigint NOT NULL,
                            currency character varying(3) NOT NULL,
                            charged_at timestamp with time zone NOT NULL,
                            refunded_at timestamp with time zone NULL,
                            CONSTRAINT "PK_charges" PRIMARY KEY (reference));
                        CREATE UNIQUE INDEX "IX_charges_payment_id" ON test_processor.charges (payment_id);
                    END IF;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Back where payments' migrations expect it.
            migrationBuilder.Sql("""
                ALTER INDEX test_processor."IX_charges_payment_id" RENAME TO "IX_test_processor_charges_payment_id";
                ALTER INDEX test_processor."PK_charges" RENAME TO "PK_test_processor_charges";
                ALTER TABLE test_processor.charges RENAME TO test_processor_charges;
                ALTER TABLE test_processor.test_processor_charges SET SCHEMA public;
                """);
        }
    }
}
