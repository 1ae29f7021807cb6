using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoMicro.Users.Tests;

public sealed class JwksTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    [Fact]
    public async Task The_published_key_verifies_issued_tokens()
    {
        var response = await users.Http.GetAsync("/.well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var keySet = new JsonWebKeySet(await response.Content.ReadAsStringAsync());

        var key = Assert.Single(keySet.Keys);
        Assert.Equal("EC", key.Kty);
        Assert.Equal("P-256", key.Crv);
        Assert.Equal("ES256", key.Alg);
        Assert.Equal("sig", key.Use);
        Assert.Null(key.D); // never the private part

        var token = await users.NewCustomerTokenAsync();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = UsersFixture.Issuer,
            ValidAudience = UsersFixture.Audience,
            IssuerSigningKeys = keySet.GetSigningKeys(),
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(key.Kid, ((JsonWebToken)result.SecurityToken).Kid);
        Assert.Equal("customer", result.ClaimsIdentity.FindFirst("role")?.Value);
    }

    [Fact]
    public async Task The_key_id_is_stable_across_restarts_of_the_same_key()
    {
        var before = (await users.GetJsonAsync("/.well-known/jwks.json")).Body.GetProperty("keys")[0].GetProperty("kid").GetString();
        await users.RestartAsync();
        var after = (await users.GetJsonAsync("/.well-known/jwks.json")).Body.GetProperty("keys")[0].GetProperty("kid").GetString();
        Assert.Equal(before, after);
    }
}
