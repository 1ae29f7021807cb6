using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace GoMicro.Testing;

/// <summary>
/// Stands in for the users service where a test needs only tokens: serves a JWKS on a real
/// port and mints ES256 tokens the way users does, for any subject and roles.
/// </summary>
public sealed class TestIdentity : IAsyncLifetime
{
    public const string Issuer = "gomicro-users-test";
    public const string Audience = "gomicro-test";

    private readonly ECDsaSecurityKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256));
    private WebApplication? _app;

    public string JwksUrl { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _key.KeyId = Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(_key).ComputeJwkThumbprint());
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(_key);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/.well-known/jwks.json", () => Results.Json(new
        {
            keys = new[] { new { kty = jwk.Kty, crv = jwk.Crv, x = jwk.X, y = jwk.Y, kid = _key.KeyId, use = "sig", alg = "ES256" } },
        }));
        await _app.StartAsync();
        JwksUrl = _app.Urls.First() + "/.well-known/jwks.json";
    }

    /// <summary>Configuration a service needs to trust these tokens.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Jwt:Issuer", Issuer),
        new("Jwt:Audience", Audience),
        new("Jwt:JwksUrl", JwksUrl),
        new("ServiceKeys:Payments", PaymentsServiceKey),
    ];

    /// <summary>The key payments presents to products (ServiceKeys:Payments), fresh for each identity.</summary>
    public string PaymentsServiceKey { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public string Token(Guid userId, params string[] roles) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Expires = DateTime.UtcNow.AddMinutes(30),
        Claims = new Dictionary<string, object> { ["sub"] = userId.ToString(), ["role"] = roles.Length == 0 ? ["customer"] : roles },
        SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha256),
    });

    public string CustomerToken(Guid? userId = null) => Token(userId ?? Guid.NewGuid(), "customer");

    public string AdminToken() => Token(Guid.NewGuid(), "customer", "admin");

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        _key.ECDsa.Dispose();
    }
}
