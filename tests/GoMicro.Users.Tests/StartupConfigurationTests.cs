using GoMicro.ServiceDefaults.Auth;
using GoMicro.Testing;
using GoMicro.Users.Accounts;
using GoMicro.Users.V1;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;

namespace GoMicro.Users.Tests;

/// <summary>A service missing a variable it needs refuses to start and names the variable; one with a shared default (ServiceDefaults) uses it.</summary>
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
    public async Task Without_issuer_and_audience_set_tokens_carry_the_shared_defaults()
    {
        var settings = users.Settings();
        settings.Remove("Jwt:Issuer");
        settings.Remove("Jwt:Audience");
        using var host = new ServiceHost<UsersGrpcService>(settings).Start();
        using var channel = host.CreateGrpcChannel();
        var client = new UsersService.UsersServiceClient(channel);

        var login = await client.LoginAsync(new LoginRequest { Email = UsersFixture.AdminEmail, Password = UsersFixture.AdminPassword });
        var token = new JsonWebToken(login.AccessToken);
        var me = await client.GetMeAsync(new GetMeRequest(), new Metadata { { "Authorization", "Bearer " + login.AccessToken } });

        Assert.Equal(JwtOptions.DefaultIssuer, token.Issuer);
        Assert.Equal([JwtOptions.DefaultAudience], token.Audiences);
        Assert.Equal(UsersFixture.AdminEmail, me.Email);
    }

    [Theory]
    [InlineData("Network:TrustedProxies", "10.0.0.7, gateway", "Network__TrustedProxies")]
    [InlineData("Network:TrustedProxies", "10.0.0.0/33", "Network__TrustedProxies")]
    [InlineData("Login:MaxFailures", "0", "Login__MaxFailures")]
    [InlineData("Login:MaxLockout", "00:00:01", "Login__MaxLockout")]
    [InlineData("Login:AccountMaxClients", "1", "Login__AccountMaxClients")]
    [InlineData("Login:AccountMaxLockout", "00:00:01", "Login__AccountMaxLockout")]
    [InlineData("RateLimits:Credentials:TokenLimit", "0", "RateLimits__Credentials__TokenLimit")]
    public void Unusable_throttling_configuration_stops_start_up_with_the_variable_name(string key, string value, string variable)
    {
        var settings = users.Settings();
        settings[key] = value;

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
