using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GoMicro.Products.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ReservationStockEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "stock_events_pending",
                table: "stock_reservations",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                table: "stock_reservations",
                type: "character varying(55)",
                maxLength: 55,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_stock_reservations_events_pending",
                table: "stock_reservations",
                column: "created_at",
                filter: "stock_events_pending");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_stock_reservations_events_pending",
                table: "stock_reservations");

            migrationBuilder.DropColumn(
                name: "stock_events_pending",
                table: "stock_reservations");

            migrationBuilder.DropColumn(
                name: "trace_parent",
                table: "stock_reservations");
        }
    }
}
