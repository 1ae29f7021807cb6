using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GoMicro.Payments.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class RefundsAndBasketVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "basket_version",
                table: "payments",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "basket_version",
                table: "payments");
        }
    }
}
