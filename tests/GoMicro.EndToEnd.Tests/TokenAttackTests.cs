using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// Forged and broken tokens against every service's own validation, not only the gateway's:
/// inside a cluster the services are reachable without it. Each attack is tried on a route of
/// each service that needs a caller, and must be refused with 401 while a real token works.
/// </summary>
public sealed class TokenAttackTests(ShopFixture shop) : IClassFixture<ShopFixture>
{
    private static readonly (string Service, HttpMethod Method, string Path, object? Body)[] Routes =
    [
        ("users", HttpMethod.Get, "/users/me", null),
        ("products", HttpMethod.Post, "/products", new { name = "Forged", price = new { amountCents = 100, currency = "EUR" }, stock = 1 }),
        ("basket", HttpMethod.Get, "/basket", null),
        ("payments", HttpMethod.Get, "/payments", null),
    ];

    public static TheoryData<string> Attacks =>
    [
        "alg none", "HS256 keyed with the public key (JWK)", "HS256 keyed with the public key (PEM)", "RS256 header on the ES256 signature",
        "wrong issuer", "wrong audience", "expired", "not yet valid", "no expiry", "tampered payload", "unknown kid", "signed by another key with the real kid",
    ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task A_forged_or_broken_token_is_refused_by_every_service(string attack)
    {
        var (id, real) = await shop.NewCustomerAsync();
        var token = await ForgeAsync(attack, id, real);

        foreach (var (service, method, path, body) in Routes)
        {
            var (response, _) = await ShopFixture.SendAsync(shop.ClientFor(service), method, path, token, body);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{attack}: {service} {method} {path} answered {(int)response.StatusCode}");
        }
        // The same caller with the real token gets in (products: in, but not an admin).
        foreach (var (service, method, path, body) in Routes)
        {
            var (response, _) = await ShopFixture.SendAsync(shop.ClientFor(service), method, path, real, body);
            Assert.Equal(service == "products" ? HttpStatusCode.Forbidden : HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task An_oversized_token_is_a_4xx_and_every_service_stays_ready()
    {
        var token = "eyJhbGciOiJFUzI1NiJ9." + new string('A', 64 * 1024) + ".sig";
        foreach (var (service, method, path, body) in Routes)
        {
            var (response, _) = await ShopFixture.SendAsync(shop.ClientFor(service), method, path, token, body);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{service} answered {(int)response.StatusCode}");
            Assert.Equal(HttpStatusCode.OK, (await shop.ClientFor(service).GetAsync(new Uri("/healthz/ready", UriKind.Relative))).StatusCode);
        }
    }

    [Fact]
    public async Task Tokens_with_unknown_key_ids_cannot_make_a_service_fetch_the_JWKS_in_a_loop()
    {
        var (id, real) = await shop.NewCustomerAsync();
        var before = await JwksRequestsAsync();

        for (var i = 0; i < 30; i++)
        {
            var token = Sign(Header(kid: $"attacker-{i}"), Claims(id), ECDsa.Create(ECCurve.NamedCurves.nistP256));
            Assert.Equal(HttpStatusCode.Unauthorized, (await ShopFixture.SendAsync(shop.Basket, HttpMethod.Get, "/basket", token)).Response.StatusCode);
        }

        // At most one refresh per service per refresh interval (30 s), however many unknown kids arrive.
        Assert.True(await JwksRequestsAsync() - before <= 3, $"{await JwksRequestsAsync() - before} JWKS requests for 30 unknown kids");
        Assert.Equal(HttpStatusCode.OK, (await ShopFixture.SendAsync(shop.Basket, HttpMethod.Get, "/basket", real)).Response.StatusCode);
        Assert.True(await JwksRequestsAsync() > 0, "the JWKS requests are not visible in the users service's metrics, so this test would prove nothing");
    }

    [Fact]
    public async Task The_token_of_a_deleted_account_is_refused_and_a_demoted_admin_loses_the_admin_routes_at_once()
    {
        var (id, token) = await shop.NewCustomerAsync();
        await shop.UsersDb.ExecuteAsync($"DELETE FROM users WHERE id = '{id}'");
        Assert.Equal(HttpStatusCode.Unauthorized, (await ShopFixture.SendAsync(shop.Users, HttpMethod.Get, "/users/me", token)).Response.StatusCode);

        var (adminId, _) = await shop.NewCustomerAsync();
        await shop.UsersDb.ExecuteAsync($"UPDATE users SET roles = ARRAY['customer','admin'] WHERE id = '{adminId}'");
        var email = (await shop.UsersDb.ScalarAsync<string>($"SELECT email FROM users WHERE id = '{adminId}'"))!;
        var adminToken = (await ShopFixture.SendAsync(shop.Users, HttpMethod.Post, "/users/login", null, new { email, password = "s3cret-pass" })).Body.GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await ShopFixture.SendAsync(shop.Users, HttpMethod.Get, "/users", adminToken)).Response.StatusCode);

        await shop.UsersDb.ExecuteAsync($"UPDATE users SET roles = ARRAY['customer'] WHERE id = '{adminId}'");

        Assert.Equal(HttpStatusCode.Forbidden, (await ShopFixture.SendAsync(shop.Users, HttpMethod.Get, "/users", adminToken)).Response.StatusCode);
    }

    private async Task<double> JwksRequestsAsync()
    {
        var metrics = await shop.Users.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return metrics.Split('\n')
            .Where(l => l.StartsWith("http_requests_received_total{", StringComparison.Ordinal) && l.Contains("jwks", StringComparison.OrdinalIgnoreCase))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task<string> ForgeAsync(string attack, string id, string real)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(shop.SigningKeyPath));
        var kid = JsonNode.Parse(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(real.Split('.')[0])))!["kid"]!.GetValue<string>();
        var publicJwk = JsonSerializer.Serialize(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(key.ExportParameters(false)))));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return attack switch
        {
            "alg none" => $"{Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" })}.{Encode(Claims(id))}.",
            "HS256 keyed with the public key (JWK)" => Hmac(Header("HS256", kid), Claims(id), Encoding.UTF8.GetBytes(publicJwk)),
            "HS256 keyed with the public key (PEM)" => Hmac(Header("HS256", kid), Claims(id), Encoding.UTF8.GetBytes(key.ExportSubjectPublicKeyInfoPem())),
            "RS256 header on the ES256 signature" => Sign(Header("RS256", kid), Claims(id), key),
            "wrong issuer" => Sign(Header(kid: kid), Claims(id, c => c["iss"] = "someone-else"), key),
            "wrong audience" => Sign(Header(kid: kid), Claims(id, c => c["aud"] = "another-api"), key),
            "expired" => Sign(Header(kid: kid), Claims(id, c => { c["iat"] = now - 7200; c["nbf"] = now - 7200; c["exp"] = now - 600; }), key),
            "not yet valid" => Sign(Header(kid: kid), Claims(id, c => c["nbf"] = now + 600), key),
            "no expiry" => Sign(Header(kid: kid), Claims(id, c => c.Remove("exp")), key),
            "tampered payload" => Tamper(real),
            "unknown kid" => Sign(Header(kid: "not-a-key-we-know"), Claims(id), key),
            "signed by another key with the real kid" => Sign(Header(kid: kid), Claims(id), ECDsa.Create(ECCurve.NamedCurves.nistP256)),
            _ => throw new ArgumentOutOfRangeException(nameof(attack), attack),
        };
    }

    private static JsonObject Header(string alg = "ES256", string? kid = null)
    {
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        if (kid is not null)
        {
            header["kid"] = kid;
        }
        return header;
    }

    private static JsonObject Claims(string id, Action<JsonObject>? edit = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["sub"] = id,
            ["iss"] = ShopFixture.Issuer,
            ["aud"] = ShopFixture.Audience,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 600,
            ["role"] = new JsonArray("customer", "admin"),
        };
        edit?.Invoke(claims);
        return claims;
    }

    /// <summary>The real token with its payload changed to claim the admin role, and its signature kept.</summary>
    private static string Tamper(string real)
    {
        var parts = real.Split('.');
        var payload = JsonNode.Parse(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])))!.AsObject();
        payload["role"] = new JsonArray("customer", "admin");
        return $"{parts[0]}.{Encode(payload)}.{parts[2]}";
    }

    private static string Encode(JsonNode node) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(node.ToJsonString()));

    private static string Sign(JsonObject header, JsonObject claims, ECDsa key)
    {
        var input = $"{Encode(header)}.{Encode(claims)}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{input}.{Base64UrlEncoder.Encode(signature)}";
    }

    private static string Hmac(JsonObject header, JsonObject claims, byte[] secret)
    {
        var input = $"{Encode(header)}.{Encode(claims)}";
        return $"{input}.{Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)))}";
    }
}
