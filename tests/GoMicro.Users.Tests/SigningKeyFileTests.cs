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

    private static async Task<string?> KidAsync(HttpClient http)
    {
        var response = await http.GetAsync("/.well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("keys")[0].GetProperty("kid").GetString();
    }
}
