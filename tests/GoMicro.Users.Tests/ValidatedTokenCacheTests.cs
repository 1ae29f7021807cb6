using System.Security.Claims;
using System.Security.Cryptography;
using GoMicro.ServiceDefaults.Auth;
using GoMicro.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace GoMicro.Users.Tests;

/// <summary>
/// The cache of validated tokens every service puts in front of the signature check: it may
/// save work, never accept a token that a full validation would refuse.
/// </summary>
public sealed class ValidatedTokenCacheTests : IDisposable
{
    private const string Issuer = "cache-test-issuer";
    private const string Audience = "cache-test-audience";
    private static readonly string[] CustomerRole = ["customer"];
    private readonly ECDsaSecurityKey _key = NewKey("key-1");
    private readonly ValidatedTokenCache _cache = new(16, TimeProvider.System);

    [Fact]
    public async Task A_repeated_token_is_answered_from_the_cache_with_an_identity_of_its_own()
    {
        var token = Token(_key, DateTime.UtcNow.AddMinutes(5));
        var first = await _cache.ValidateTokenAsync(token, Parameters(_key));
        Assert.True(first.IsValid);
        first.ClaimsIdentity.AddClaim(new Claim("role", "admin")); // what one request does to its identity

        var second = await _cache.ValidateTokenAsync(token, Parameters(_key));
        Assert.True(second.IsValid);
        Assert.Same(first.SecurityToken, second.SecurityToken); // remembered, not validated again
        Assert.Equal(["customer"], second.ClaimsIdentity.FindAll("role").Select(c => c.Value));
        Assert.Equal(Issuer, second.Issuer);
        Assert.Equal(1, _cache.Count);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        var token = Token(_key, DateTime.UtcNow.AddSeconds(2));
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters(_key))).IsValid);

        await Eventually.UntilAsync(async () => !(await _cache.ValidateTokenAsync(token, Parameters(_key))).IsValid, seconds: 10, what: "the expired token refused");
    }

    [Fact]
    public async Task A_remembered_token_is_refused_when_its_key_is_no_longer_trusted()
    {
        var token = Token(_key, DateTime.UtcNow.AddMinutes(5));
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters(_key))).IsValid);

        var rotated = NewKey("key-2"); // the JWKS now lists only a new key
        Assert.False((await _cache.ValidateTokenAsync(token, Parameters(rotated))).IsValid);
    }

    [Fact]
    public async Task A_token_checked_against_the_JWKS_is_remembered_while_the_JWKS_still_holds_its_key()
    {
        // How JwtBearer calls the handler in products, basket and payments: with the JWKS's
        // configuration manager, not the keys. (Seen in a profile: such tokens were never remembered.)
        var token = Token(_key, DateTime.UtcNow.AddMinutes(5));
        var first = await _cache.ValidateTokenAsync(token, FromJwks(_key));
        Assert.True(first.IsValid);
        var second = await _cache.ValidateTokenAsync(token, FromJwks(_key));
        Assert.True(second.IsValid);
        Assert.Same(first.SecurityToken, second.SecurityToken);

        Assert.False((await _cache.ValidateTokenAsync(token, FromJwks(NewKey("key-2")))).IsValid);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_when_its_kid_now_names_another_key()
    {
        var token = Token(_key, DateTime.UtcNow.AddMinutes(5));
        Assert.True((await _cache.ValidateTokenAsync(token, FromJwks(_key))).IsValid);

        var impostor = NewKey(_key.KeyId); // the JWKS now has other key material under the same kid
        Assert.False((await _cache.ValidateTokenAsync(token, FromJwks(impostor))).IsValid);
        Assert.False((await _cache.ValidateTokenAsync(token, Parameters(impostor))).IsValid);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_for_another_issuer_or_audience()
    {
        var token = Token(_key, DateTime.UtcNow.AddMinutes(5));
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters(_key))).IsValid);

        var otherIssuer = Parameters(_key);
        otherIssuer.ValidIssuer = "someone-else";
        Assert.False((await _cache.ValidateTokenAsync(token, otherIssuer)).IsValid);
        var otherAudience = Parameters(_key);
        otherAudience.ValidAudience = "another-api";
        Assert.False((await _cache.ValidateTokenAsync(token, otherAudience)).IsValid);
    }

    [Fact]
    public async Task A_tampered_copy_of_a_remembered_token_is_refused_and_not_remembered()
    {
        var token = Token(_key, DateTime.UtcNow.AddMinutes(5));
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters(_key))).IsValid);

        var parts = token.Split('.');
        var claims = Base64UrlEncoder.Decode(parts[1]).Replace("\"customer\"", "\"admin\"", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(claims)}.{parts[2]}";
        Assert.False((await _cache.ValidateTokenAsync(tampered, Parameters(_key))).IsValid);
        Assert.Equal(1, _cache.Count);
    }

    public void Dispose() => _cache.Dispose();

    private static ECDsaSecurityKey NewKey(string kid) => new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = kid };

    private static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKeys = [key],
        ValidAlgorithms = JwtOptions.AllowedAlgorithms,
        RequireExpirationTime = true,
        TryAllIssuerSigningKeys = false,
        ClockSkew = TimeSpan.Zero,
    };

    private static TokenValidationParameters FromJwks(SecurityKey key)
    {
        var parameters = Parameters(key);
        parameters.IssuerSigningKeys = null;
        var jwks = new OpenIdConnectConfiguration { Issuer = Issuer };
        jwks.SigningKeys.Add(key);
        parameters.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(jwks);
        return parameters;
    }

    private static string Token(ECDsaSecurityKey key, DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        IssuedAt = DateTime.UtcNow.AddSeconds(-5),
        NotBefore = DateTime.UtcNow.AddSeconds(-5),
        Expires = expires,
        Claims = new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString(), ["role"] = CustomerRole },
        SigningCredentials = new SigningCredentials(key, JwtSigning.Algorithm),
    });
}
