using System.Net;
using GoMicro.Testing;
using GoMicro.Users.Accounts;

namespace GoMicro.Users.Tests;

public sealed class SigningKeyFileTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    [Fact]
    public async Task With_CreateKeyIfMissing_a_key_is_created_once_and_kept_across_restarts()
    {
        var directory = Directory.CreateTempSubdirectory("gomicro-key-").FullName;
        try
        {
            var settings = users.Settings();
            settings["Jwt:SigningKeyPath"] = Path.Combine(directory, "keys", "jwt.pem");
            settings["Jwt:CreateKeyIfMissing"] = "true";

            string? firstKid;
            await using (var first = new ServiceHost<UsersGrpcService>(settings).Start())
            {
                using var http = first.CreateHttpClient();
                firstKid = await KidAsync(http);
            }
            var pem = await File.ReadAllTextAsync(settings["Jwt:SigningKeyPath"]!);
            await using var second = new ServiceHost<UsersGrpcService>(settings).Start();
            using var again = second.CreateHttpClient();

            Assert.Contains("PRIVATE KEY", pem, StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(settings["Jwt:SigningKeyPath"]!));
            }
            Assert.Equal(firstKid, await KidAsync(again));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void An_RSA_key_is_refused_at_start_because_the_gateway_accepts_ES256_tokens_only()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);

        var refused = Assert.Throws<InvalidOperationException>(() => GoMicro.Users.Tokens.SigningKey.FromPem(rsa.ExportPkcs8PrivateKeyPem(), "Jwt__SigningKeyPath (test)"));

        Assert.Contains("ES256", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Jwt__SigningKeyPath", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("secP256k1")]
    [InlineData("brainpoolP256r1")]
    public void An_EC_key_on_a_256_bit_curve_other_than_P256_is_refused(string curve)
    {
        using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.CreateFromFriendlyName(curve));

        var refused = Assert.Throws<InvalidOperationException>(() => GoMicro.Users.Tokens.SigningKey.FromPem(ec.ExportPkcs8PrivateKeyPem(), "Jwt__SigningKeyPath (test)"));

        Assert.Contains("is not on curve P-256", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_users_key_the_gateway_and_every_service_agree_on_one_algorithm()
    {
        Assert.Equal(GoMicro.ServiceDefaults.Auth.JwtSigning.Algorithm, GoMicro.Users.Tokens.SigningKey.Generate().Credentials.Algorithm);
        Assert.Equal([GoMicro.ServiceDefaults.Auth.JwtSigning.Algorithm], GoMicro.ServiceDefaults.Auth.JwtOptions.AllowedAlgorithms);
    }

    private static async Task<string?> KidAsync(HttpClient http)
    {
        var response = await http.GetAsync("/.well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("keys")[0].GetProperty("kid").GetString();
    }
}
