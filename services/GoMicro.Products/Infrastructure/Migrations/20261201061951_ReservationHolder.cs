using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GoMicro.Products.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ReservationHolder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "held_by",
                table: "stock_reservations",
                type: "uuid",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "held_by",
                table: "stock_reservations");
        }
    }
}
