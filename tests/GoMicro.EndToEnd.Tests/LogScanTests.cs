using System.Net;
using System.Text.RegularExpressions;
using GoMicro.Testing;

namespace GoMicro.EndToEnd.Tests;

/// <summary>Runs after the parallel test classes, so it scans everything this run's services logged.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LogScanCollection
{
    public const string Name = "log scan";
}

/// <summary>
/// No secret in the logs: whatever a run did (every test class of this assembly, and a journey
/// here that logs in, fails logins, pays and administers), the services' captured log lines
/// hold no token, no private key, no password the run used, no connection-string secret and
/// not the admin's address.
/// </summary>
[Collection(LogScanCollection.Name)]
public sealed partial class LogScanTests(ShopFixture shop) : IClassFixture<ShopFixture>
{
    /// <summary>Every password the tests of this assembly and its fixtures use.</summary>
    private static readonly string[] Passwords = ["s3cret-pass", ShopFixture.AdminPassword, "wrong-password-1", "a-wrong-password-7"];

    [Fact]
    public async Task Nothing_a_run_logged_holds_a_token_a_key_a_password_or_a_connection_secret()
    {
        var (_, token) = await shop.NewCustomerAsync();
        var admin = await shop.AdminTokenAsync();
        await ShopFixture.SendAsync(shop.Users, HttpMethod.Post, "/users/login", null, new { email = ShopFixture.AdminEmail, password = "a-wrong-password-7" });
        var product = await shop.CreateProductAsync(stock: 2);
        await shop.AddToBasketAsync(token, product, 1);
        Assert.Equal(HttpStatusCode.OK, (await shop.CheckoutAsync(token, Guid.NewGuid().ToString())).Response.StatusCode);
        await ShopFixture.SendAsync(shop.Users, HttpMethod.Get, "/users", admin);
        await ShopFixture.SendAsync(shop.Basket, HttpMethod.Get, "/basket", token + "tampered");

        var key = (await File.ReadAllTextAsync(shop.SigningKeyPath)).Split('\n').Where(l => l.Length > 20 && !l.StartsWith("-----", StringComparison.Ordinal));
        var connectionSecrets = new[] { shop.UsersDb.ConnectionString, shop.ProductsDb.ConnectionString, shop.PaymentsDb.ConnectionString }
            .SelectMany(c => PasswordInConnectionString().Matches(c).Select(m => m.Groups[1].Value))
            .Where(p => p.Length >= 12); // the throwaway test servers' short well-known passwords are words that appear anyway
        // The admin's address is not a secret, but it names the account worth attacking.
        string[] secrets = [token, token.Split('.')[2], admin, admin.Split('.')[2], ShopFixture.AdminEmail, shop.PaymentsServiceKey, .. Passwords, .. key, .. connectionSecrets];

        var lines = CapturedLogs.All;
        foreach (var service in new[] { "users", "products", "basket", "payments" })
        {
            Assert.True(lines.Any(l => l.Contains($"\"service\":\"{service}\"", StringComparison.Ordinal)), $"nothing of {service} was captured: the scan would prove nothing");
        }
        var hits = lines
            .SelectMany(line => secrets.Where(s => line.Contains(s, StringComparison.Ordinal)).Select(s => Masked(line, s))
                .Concat(Jwt().IsMatch(line) ? [Masked(line, Jwt().Match(line).Value)] : [])
                .Concat(line.Contains("PRIVATE KEY", StringComparison.Ordinal) ? [Masked(line, "PRIVATE KEY")] : []))
            .Take(10)
            .ToList();
        Assert.True(hits.Count == 0, $"secrets in {lines.Count} log lines:\n{string.Join("\n", hits)}");
    }

    private static string Masked(string line, string secret) =>
        (line.Length > 300 ? line[..300] + "…" : line).Replace(secret, $"<secret of {secret.Length} characters>", StringComparison.Ordinal);

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")]
    private static partial Regex Jwt();

    [GeneratedRegex("Password=([^;]+)", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordInConnectionString();
}
