using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoMicro.Users.Tests;

/// <summary>Every token the service did not issue, or no longer honours, is 401.</summary>
public sealed class TokenValidationTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    [Fact]
    public async Task A_token_it_issued_is_accepted()
    {
        var token = await users.NewCustomerTokenAsync();
        Assert.Equal(HttpStatusCode.OK, (await users.GetJsonAsync("/users/me", token)).Response.StatusCode);
    }

    [Fact]
    public async Task A_tampered_token_is_401()
    {
        var token = await users.NewCustomerTokenAsync();
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]));
        var admin = payload.Replace("\"customer\"", "\"admin\"", StringComparison.Ordinal);
        Assert.NotEqual(payload, admin);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(admin)}.{parts[2]}";

        Assert.Equal(HttpStatusCode.Unauthorized, (await users.GetJsonAsync("/users/me", tampered)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await users.GetJsonAsync("/users", tampered)).Response.StatusCode);
    }

    [Fact]
    public async Task An_expired_token_signed_with_the_right_key_is_401()
    {
        var subject = await RegisteredUserIdAsync();
        var token = Forge(users.SigningKey, subject, expires: DateTime.UtcNow.AddMinutes(-5), issuedAt: DateTime.UtcNow.AddHours(-1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await users.GetJsonAsync("/users/me", token)).Response.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_but_the_same_kid_is_401()
    {
        var subject = await RegisteredUserIdAsync();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = Forge(other, subject, kid: await CurrentKidAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await users.GetJsonAsync("/users/me", token)).Response.StatusCode);
    }

    [Fact]
    public async Task An_alg_none_token_is_401()
    {
        var subject = await RegisteredUserIdAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        var payload = Base64UrlEncoder.Encode(
            $"{{\"sub\":\"{subject}\",\"iss\":\"{UsersFixture.Issuer}\",\"aud\":\"{UsersFixture.Audience}\",\"role\":[\"customer\",\"admin\"],\"iat\":{now},\"nbf\":{now},\"exp\":{now + 600}}}");

        Assert.Equal(HttpStatusCode.Unauthorized, (await users.GetJsonAsync("/users/me", $"{header}.{payload}.")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await users.GetJsonAsync("/users", $"{header}.{payload}.")).Response.StatusCode);
    }

    [Fact]
    public async Task A_token_for_another_issuer_or_audience_is_401()
    {
        var subject = await RegisteredUserIdAsync();
        var kid = await CurrentKidAsync();
        Assert.Equal(HttpStatusCode.OK, (await users.GetJsonAsync("/users/me", Forge(users.SigningKey, subject, kid: kid))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await users.GetJsonAsync("/users/me", Forge(users.SigningKey, subject, kid: kid, issuer: "someone-else"))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await users.GetJsonAsync("/users/me", Forge(users.SigningKey, subject, kid: kid, audience: "another-api"))).Response.StatusCode);
    }

    [Fact]
    public async Task A_token_with_an_HMAC_signature_over_the_public_key_is_401()
    {
        // The classic algorithm-confusion attack: sign HS256 with the published public key.
        var subject = await RegisteredUserIdAsync();
        var (_, jwks) = await users.GetJsonAsync("/.well-known/jwks.json");
        var secret = Encoding.UTF8.GetBytes(jwks.GetProperty("keys")[0].GetRawText());
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = UsersFixture.Issuer,
            Audience = UsersFixture.Audience,
            Expires = DateTime.UtcNow.AddMinutes(10),
            Claims = new Dictionary<string, object> { ["sub"] = subject },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(secret) { KeyId = await CurrentKidAsync() }, SecurityAlgorithms.HmacSha256),
        });
        Assert.Equal(HttpStatusCode.Unauthorized, (await users.GetJsonAsync("/users/me", token)).Response.StatusCode);
    }

    private static readonly string[] CustomerRole = ["customer"];

    private async Task<string> RegisteredUserIdAsync()
    {
        var user = await users.RegisterAsync(UsersFixture.UniqueEmail("forge"));
        return user.Id;
    }

    private async Task<string> CurrentKidAsync() =>
        (await users.GetJsonAsync("/.well-known/jwks.json")).Body.GetProperty("keys")[0].GetProperty("kid").GetString()!;

    private static string Forge(ECDsa key, string subject, string? kid = null, DateTime? expires = null, DateTime? issuedAt = null,
        string issuer = UsersFixture.Issuer, string audience = UsersFixture.Audience)
    {
        var securityKey = new ECDsaSecurityKey(key);
        securityKey.KeyId = kid ?? Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(securityKey).ComputeJwkThumbprint());
        var now = issuedAt ?? DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires ?? now.AddMinutes(10),
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["role"] = CustomerRole },
            SigningCredentials = new SigningCredentials(securityKey, SecurityAlgorithms.EcdsaSha256),
        });
    }
}
