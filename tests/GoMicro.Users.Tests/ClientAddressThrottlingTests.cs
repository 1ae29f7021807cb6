using System.Net;
using GoMicro.Testing;
using GoMicro.Users.Accounts;
using Grpc.Core;

namespace GoMicro.Users.Tests;

/// <summary>
/// Lockouts that an attacker cannot turn against the account's owner (issue 11, defect 1): the
/// tight limit is per (account, client address); the account-wide one counts addresses, is
/// short, and spares addresses the owner logged in from. Clients at other addresses are played
/// through X-Forwarded-For from the fixture's trusted proxy (127.0.0.1).
/// </summary>
public sealed class ClientAddressThrottlingTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    private const string Wrong = "wrong-password-1";

    /// <summary>The regression: before, any client could lock any account out by guessing wrong at it.</summary>
    [Fact]
    public async Task An_attacker_at_one_address_cannot_lock_the_owner_out_at_another()
    {
        var email = UsersFixture.UniqueEmail("victim");
        await users.RegisterAsync(email);

        var attacker = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            attacker.Add((await users.PostLoginFromAsync("203.0.113.7", email, Wrong)).Response.StatusCode);
        }
        // The owner, at an address never used with this account before, over HTTP and gRPC.
        var (owner, body) = await users.PostLoginFromAsync("198.51.100.7", email, "correct-horse-1");

        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("accessToken").GetString()));
        Assert.NotEmpty(await users.LoginFromAsync("198.51.100.8", email));
        // The attacker's own address is what got locked.
        Assert.Equal(HttpStatusCode.TooManyRequests, attacker[^1]);
        Assert.Equal(UsersFixture.MaxLoginFailures - 1, attacker.Count(s => s == HttpStatusCode.Unauthorized));
        var (stillLocked, _) = await users.PostLoginFromAsync("203.0.113.7", email, "correct-horse-1");
        Assert.Equal(HttpStatusCode.TooManyRequests, stillLocked.StatusCode);
    }

    [Fact]
    public async Task Guesses_from_many_addresses_hold_up_new_addresses_briefly_but_never_the_owner_at_a_known_one()
    {
        var email = UsersFixture.UniqueEmail("crowd");
        await users.RegisterAsync(email);
        await users.LoginFromAsync("198.51.100.20", email); // the owner's usual address

        // A distributed guesser: one wrong guess from each of AccountMaxClients addresses.
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < UsersFixture.AccountMaxClients; i++)
        {
            answers.Add((await users.PostLoginFromAsync($"203.0.113.{100 + i}", email, Wrong)).Response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, answers[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1]);

        // A new address waits, briefly, even with the right password; it is told how long.
        var (held, body) = await users.PostLoginFromAsync("198.51.100.30", email, "correct-horse-1");
        var sinceHeld = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.TooManyRequests, held.StatusCode);
        var retryAfter = held.Headers.RetryAfter?.Delta ?? TimeSpan.Zero;
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), UsersFixture.AccountMaxLockout);
        Assert.Contains("try again", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        var grpc = await Assert.ThrowsAsync<RpcException>(() => users.LoginFromAsync("198.51.100.31", email));
        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);

        // The owner at the known address is not held up at all.
        Assert.NotEmpty(await users.LoginFromAsync("198.51.100.20", email));

        // And the new address gets in once the short lockout is over, not before. Trying while
        // held counts nothing (refused attempts check no password), so the test may keep trying.
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                return (await users.LoginFromAsync("198.51.100.30", email)).Length > 0;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                return false;
            }
        }, seconds: (int)retryAfter.TotalSeconds + 10, what: "the new address let in after the lockout");
        // Retry-After is the lockout's rest rounded up to whole seconds.
        Assert.True(sinceHeld.Elapsed > retryAfter - TimeSpan.FromSeconds(1), $"let in {sinceHeld.Elapsed} after the 429, whose Retry-After was {retryAfter}");
    }

    [Fact]
    public async Task The_proxy_appended_address_counts_not_what_the_client_wrote_into_X_Forwarded_For()
    {
        var email = UsersFixture.UniqueEmail("spoof");
        await users.RegisterAsync(email);

        // The attacker writes the owner's address into the header; the proxy appends the attacker's.
        for (var i = 0; i < UsersFixture.MaxLoginFailures + 2; i++)
        {
            await users.PostLoginFromAsync("198.51.100.40, 203.0.113.40", email, Wrong);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await users.PostLoginFromAsync("203.0.113.40", email, "correct-horse-1")).Response.StatusCode);
        Assert.NotEmpty(await users.LoginFromAsync("198.51.100.40", email));
    }

    [Theory]
    [InlineData("")]                 // the default: no proxy is trusted
    [InlineData("10.9.9.9, 10.10.0.0/16")] // proxies, but not this peer
    public async Task X_Forwarded_For_from_an_untrusted_peer_is_ignored(string trustedProxies)
    {
        var settings = users.Settings();
        settings["Network:TrustedProxies"] = trustedProxies;
        settings["Admin:Email"] = null;
        await using var host = new ServiceHost<UsersGrpcService>(settings).Start();
        using var http = host.CreateHttpClient();
        var email = UsersFixture.UniqueEmail("untrusted");
        Assert.Equal(HttpStatusCode.OK, (await http.SendJsonAsync(HttpMethod.Post, "/users", body: new { email, password = "correct-horse-1", displayName = "U" })).Response.StatusCode);

        // Each guess claims another address; all of them are the peer's (127.0.0.1).
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < UsersFixture.MaxLoginFailures + 1; i++)
        {
            statuses.Add((await http.SendJsonAsync(HttpMethod.Post, "/users/login", body: new { email, password = Wrong },
                headers: new Dictionary<string, string> { ["X-Forwarded-For"] = $"203.0.113.{i + 1}" })).Response.StatusCode);
        }
        var (owner, _) = await http.SendJsonAsync(HttpMethod.Post, "/users/login", body: new { email, password = "correct-horse-1" },
            headers: new Dictionary<string, string> { ["X-Forwarded-For"] = "198.51.100.50" });

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[UsersFixture.MaxLoginFailures - 1]);
        Assert.Equal(HttpStatusCode.TooManyRequests, owner.StatusCode);
    }
}
