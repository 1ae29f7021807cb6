using System.Text.Json;
using GoMicro.Testing;
using GoMicro.Users.Tokens;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// KrakenD's auth/validator takes exactly one algorithm ("alg") and refuses every token whose
/// header names another, so the gateway accepts ES256 or RS256, never both: the one it
/// names must be the one the users service signs with where the gateway runs.
/// </summary>
public sealed class GatewayTokenAlgorithmTests
{
    [Fact]
    public void The_gateway_checks_tokens_with_the_algorithm_of_the_key_users_creates_under_compose()
    {
        Assert.Equal("true", ComposeFile.Load().Environment("users")["Jwt__CreateKeyIfMissing"]);
        var path = Path.Combine(Path.GetTempPath(), $"gomicro-compose-key-{Guid.NewGuid():N}", "jwt.pem");
        try
        {
            SigningKey.CreateFile(path);
            var algorithm = SigningKey.FromFile(path).Credentials.Algorithm;

            using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(OfflineSchemas.RepositoryRoot, "krakend", "krakend.json")));
            var validators = config.RootElement.GetProperty("endpoints").EnumerateArray()
                .Where(e => e.GetProperty("extra_config").TryGetProperty("auth/validator", out _))
                .Select(e => e.GetProperty("extra_config").GetProperty("auth/validator").GetProperty("alg").GetString())
                .ToList();
            Assert.NotEmpty(validators);
            // KrakenD's auth/validator takes one algorithm and refuses tokens whose header names
            // another: a users service signing with an RSA key (RS256) is refused at the gateway.
            Assert.All(validators, alg => Assert.Equal(algorithm, alg));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
