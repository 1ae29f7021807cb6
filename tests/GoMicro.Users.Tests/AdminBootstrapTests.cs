using GoMicro.Testing;
using GoMicro.Users.Accounts;

namespace GoMicro.Users.Tests;

/// <summary>Who becomes admin at start-up through Admin__Email and Admin__Password.</summary>
public sealed class AdminBootstrapTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    private Task<string?> RolesAsync(string email) =>
        users.Database.ScalarAsync<string>($"SELECT array_to_string(roles, ',') FROM users WHERE normalized_email = '{email.ToUpperInvariant()}'");

    private async Task StartWithAdminAsync(string email, string password)
    {
        var settings = users.Settings();
        settings["Admin:Email"] = email;
        settings["Admin:Password"] = password;
        await using var host = new ServiceHost<UsersGrpcService>(settings).Start(); // the bootstrap runs at start-up
    }

    [Fact]
    public async Task A_stranger_who_registered_the_admin_address_first_is_not_made_admin()
    {
        var email = UsersFixture.UniqueEmail("future-admin");
        await users.RegisterAsync(email, password: "strangers-own-password-1");

        await StartWithAdminAsync(email, "the-configured-admin-password-1");

        Assert.Equal("customer", await RolesAsync(email));
    }

    [Fact]
    public async Task An_existing_account_that_proves_the_admin_password_is_promoted()
    {
        var email = UsersFixture.UniqueEmail("own-admin");
        await users.RegisterAsync(email, password: "the-configured-admin-password-1");

        await StartWithAdminAsync(email, "the-configured-admin-password-1");

        Assert.Equal("customer,admin", await RolesAsync(email));
    }
}
