using System.Net;
using GoMicro.Testing;
using Grpc.Core;

namespace GoMicro.Users.Tests;

public sealed class LoginThrottlingTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    [Fact]
    public async Task Throttle_rows_past_their_window_and_lockout_are_purged_and_live_ones_kept()
    {
        var stale = UsersFixture.UniqueEmail("stale").ToUpperInvariant();
        var locked = UsersFixture.UniqueEmail("locked").ToUpperInvariant();
        await users.Database.ExecuteAsync($"""
            INSERT INTO login_throttles (normalized_email, failures, window_started_at, locked_until) VALUES
              ('{stale}', 3, now() - interval '3 days', now() - interval '3 days'),
              ('{locked}', 3, now() - interval '3 days', now() + interval '1 hour');
            """);

        await Eventually.UntilAsync(async () => await users.Database.ScalarAsync<long>($"SELECT count(*) FROM login_throttles WHERE normalized_email = '{stale}'") == 0, what: "stale row purged");
        Assert.Equal(1, await users.Database.ScalarAsync<long>($"SELECT count(*) FROM login_throttles WHERE normalized_email = '{locked}'"));
    }

    [Fact]
    public async Task Rows_remembering_an_address_that_logged_in_are_kept_for_the_known_client_period()
    {
        var known = UsersFixture.UniqueEmail("known").ToUpperInvariant();
        var forgotten = UsersFixture.UniqueEmail("forgotten").ToUpperInvariant();
        await users.Database.ExecuteAsync($"""
            INSERT INTO login_throttles (normalized_email, client, failures, window_started_at, locked_until, succeeded_at) VALUES
              ('{known}', '198.51.100.1', 0, now() - interval '3 days', NULL, now() - interval '3 days'),
              ('{forgotten}', '198.51.100.1', 0, now() - interval '31 days', NULL, now() - interval '31 days');
            """);

        await Eventually.UntilAsync(async () => await users.Database.ScalarAsync<long>($"SELECT count(*) FROM login_throttles WHERE normalized_email = '{forgotten}'") == 0, what: "forgotten row purged");
        Assert.Equal(1, await users.Database.ScalarAsync<long>($"SELECT count(*) FROM login_throttles WHERE normalized_email = '{known}'"));
    }

    [Fact]
    public async Task Wrong_password_is_401()
    {
        var email = UsersFixture.UniqueEmail();
        await users.RegisterAsync(email);

        var (response, body) = await users.PostJsonAsync("/users/login", new { email, password = "wrong-password-1" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("token", body.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_email_at_that_address_even_for_the_right_password()
    {
        var email = UsersFixture.UniqueEmail("throttle");
        await users.RegisterAsync(email);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < UsersFixture.MaxLoginFailures; i++)
        {
            statuses.Add((await users.PostJsonAsync("/users/login", new { email, password = "wrong-password-1" })).Response.StatusCode);
        }
        var (locked, body) = await users.PostJsonAsync("/users/login", new { email, password = "correct-horse-1" });

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("try again", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        var grpc = await Assert.ThrowsAsync<RpcException>(() => users.LoginAsync(email));
        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
    }

    [Fact]
    public async Task Lockout_of_one_email_does_not_affect_another()
    {
        var locked = UsersFixture.UniqueEmail("locked");
        var other = UsersFixture.UniqueEmail("other");
        await users.RegisterAsync(locked);
        await users.RegisterAsync(other);
        for (var i = 0; i < UsersFixture.MaxLoginFailures; i++)
        {
            await users.PostJsonAsync("/users/login", new { email = locked, password = "wrong-password-1" });
        }

        Assert.NotEmpty(await users.LoginAsync(other));
    }

    [Fact]
    public async Task Unknown_emails_are_throttled_too_so_lockout_reveals_nothing()
    {
        var email = UsersFixture.UniqueEmail("ghost");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= UsersFixture.MaxLoginFailures; i++)
        {
            statuses.Add((await users.PostJsonAsync("/users/login", new { email, password = "wrong-password-1" })).Response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task A_success_resets_the_failure_count()
    {
        var email = UsersFixture.UniqueEmail("reset");
        await users.RegisterAsync(email);
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < UsersFixture.MaxLoginFailures - 1; i++)
            {
                await users.PostJsonAsync("/users/login", new { email, password = "wrong-password-1" });
            }
            Assert.NotEmpty(await users.LoginAsync(email));
        }
    }
}
