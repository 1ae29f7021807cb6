using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GoMicro.Users.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class LoginThrottlePerClientAddress : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_login_throttles",
                table: "login_throttles");

            migrationBuilder.AddColumn<string>(
                name: "client",
                table: "login_throttles",
                type: "character varying(45)",
                maxLength: 45,
                nullable: false,
                defaultValue: "*");

            migrationBuilder.AddColumn<int>(
                name: "lockouts",
                table: "login_throttles",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "succeeded_at",
                table: "login_throttles",
                type: "timestamp with time zone",
                nullable: true);

            // The existing rows, one per email, become the account-wide rows ('*'), which count
            // client addresses rather than guesses: their lockouts stay, their counts start again.
            migrationBuilder.Sql("UPDATE login_throttles SET failures = 0;");

            migrationBuilder.AddPrimaryKey(
                name: "PK_login_throttles",
                table: "login_throttles",
                columns: new[] { "normalized_email", "client" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // One row per email again: the account-wide rows stay.
            migrationBuilder.Sql("DELETE FROM login_throttles WHERE client <> '*';");

            migrationBuilder.DropPrimaryKey(
                name: "PK_login_throttles",
                table: "login_throttles");

            migrationBuilder.DropColumn(
                name: "client",
                table: "login_throttles");

            migrationBuilder.DropColumn(
                name: "lockouts",
                table: "login_throttles");

            migrationBuilder.DropColumn(
                name: "succeeded_at",
                table: "login_throttles");

            migrationBuilder.AddPrimaryKey(
                name: "PK_login_throttles",
                table: "login_throttles",
                column: "normalized_email");
        }
    }
}
