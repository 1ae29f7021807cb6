using GoMicro.Testing;
using GoMicro.Users.Accounts;

namespace GoMicro.Users.Tests;

/// <summary>A service missing a variable it needs refuses to start and names the variable.</summary>
public sealed class StartupConfigurationTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    [Theory]
    [InlineData("ConnectionStrings:Postgres", "ConnectionStrings__Postgres")]
    [InlineData("Jwt:Issuer", "Jwt__Issuer")]
    [InlineData("Jwt:Audience", "Jwt__Audience")]
    [InlineData("Jwt:SigningKeyPath", "Jwt__SigningKeyPath")]
    [InlineData("Admin:Password", "Admin__Password")]
    public void Missing_configuration_stops_start_up_with_the_variable_name(string key, string variable)
    {
        var settings = users.Settings();
        settings[key] = "";

        var error = Record.Exception(() => new ServiceHost<UsersGrpcService>(settings).Start());

        Assert.NotNull(error);
        Assert.Contains(variable, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_signing_key_file_that_is_not_a_key_stops_start_up()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        var settings = users.Settings();
        settings["Jwt:SigningKeyPath"] = path;

        var error = Record.Exception(() => new ServiceHost<UsersGrpcService>(settings).Start());

        File.Delete(path);
        Assert.NotNull(error);
        Assert.Contains("Jwt__SigningKeyPath", error.ToString(), StringComparison.Ordinal);
    }
}
