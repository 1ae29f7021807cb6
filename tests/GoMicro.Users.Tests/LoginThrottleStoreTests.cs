using GoMicro.ServiceDefaults.Data;
using GoMicro.Users.Accounts;
using GoMicro.Users.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace GoMicro.Users.Tests;

/// <summary>
/// The throttle's arithmetic over hours of simulated time: the store against the fixture's real
/// database, on a clock the test moves. Each guess goes through the store exactly as Login does.
/// </summary>
public sealed class LoginThrottleStoreTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    private static readonly LoginLimits Limits = new()
    {
        MaxFailures = 5,
        FailureWindow = TimeSpan.FromMinutes(15),
        Lockout = TimeSpan.FromMinutes(5),
        MaxLockout = TimeSpan.FromMinutes(15),
        AccountMaxClients = 10,
        AccountLockout = TimeSpan.FromMinutes(1),
        AccountMaxLockout = TimeSpan.FromMinutes(5),
        KnownClientPeriod = TimeSpan.FromDays(30),
    };

    // Ahead of the database's clock, so the fixture's retention purge never touches these rows.
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow.AddDays(10));

    [Fact]
    public async Task An_address_lockout_doubles_in_a_row_up_to_its_cap_and_a_success_forgets_it()
    {
        var email = NewEmail();
        var lockouts = new List<TimeSpan>();
        for (var round = 0; round < 5; round++)
        {
            Guess outcome;
            do
            {
                outcome = await GuessAsync(email, "203.0.113.1");
            }
            while (outcome.Kind == Kind.Unauthorized);
            Assert.Equal(Kind.Locked, outcome.Kind);
            lockouts.Add(outcome.Until!.Value - _clock.Now);
            _clock.Advance(outcome.Until.Value - _clock.Now + TimeSpan.FromSeconds(1));
        }
        Assert.Equal([5, 10, 15, 15, 15], lockouts.Select(l => (int)l.TotalMinutes));

        Assert.Equal(Kind.Ok, (await GuessAsync(email, "203.0.113.1", correct: true)).Kind);
        Assert.Equal(TimeSpan.FromMinutes(5), await LockAddressAsync(email, "203.0.113.1"));
    }

    [Fact]
    public async Task The_back_off_is_forgotten_after_a_quiet_window()
    {
        var email = NewEmail();
        Assert.Equal(TimeSpan.FromMinutes(5), await LockAddressAsync(email, "203.0.113.2"));
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMinutes(10), await LockAddressAsync(email, "203.0.113.2"));

        _clock.Advance(TimeSpan.FromMinutes(10) + Limits.FailureWindow + TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMinutes(5), await LockAddressAsync(email, "203.0.113.2"));
    }

    [Fact]
    public async Task One_address_alone_never_locks_the_account_however_long_it_keeps_guessing()
    {
        var email = NewEmail();
        var elsewhere = 0;
        // Six hours of an attacker guessing as fast as it is allowed, with the owner trying at a
        // new address every ten minutes.
        for (var minute = 0; minute < 6 * 60; minute++)
        {
            Guess outcome;
            do
            {
                outcome = await GuessAsync(email, "203.0.113.3");
                Assert.NotEqual(Kind.AccountLocked, outcome.Kind);
            }
            while (outcome.Kind == Kind.Unauthorized);
            if (minute % 10 == 0)
            {
                Assert.Equal(Kind.Ok, (await GuessAsync(email, $"198.51.100.{elsewhere++ % 250}", correct: true)).Kind);
            }
            _clock.Advance(TimeSpan.FromMinutes(1));
        }
    }

    [Fact]
    public async Task The_account_lockout_is_short_capped_and_spares_known_addresses()
    {
        var email = NewEmail();
        Assert.Equal(Kind.Ok, (await GuessAsync(email, "198.51.100.200", correct: true)).Kind);

        var next = 0;
        var lockouts = new List<TimeSpan>();
        for (var wave = 0; wave < 5; wave++)
        {
            // A wave of new addresses, one guess each, until the account locks.
            Guess outcome;
            do
            {
                outcome = await GuessAsync(email, $"203.0.{113 + next / 250}.{next++ % 250}");
            }
            while (outcome.Kind == Kind.Unauthorized);
            Assert.Equal(Kind.AccountLocked, outcome.Kind);
            lockouts.Add(outcome.Until!.Value - _clock.Now);

            // Held up: a new address, even with the right password; not held up: the owner's known one.
            Assert.Equal(Kind.AccountLocked, (await GuessAsync(email, "192.0.2.1", correct: true)).Kind);
            Assert.Equal(Kind.Ok, (await GuessAsync(email, "198.51.100.200", correct: true)).Kind);
            _clock.Advance(outcome.Until.Value - _clock.Now + TimeSpan.FromSeconds(1));
        }

        Assert.Equal([1, 2, 4, 5, 5], lockouts.Select(l => (int)l.TotalMinutes));
        Assert.Equal(Kind.Ok, (await GuessAsync(email, "192.0.2.1", correct: true)).Kind);
    }

    [Fact]
    public async Task Addresses_that_log_in_do_not_count_towards_the_account_limit()
    {
        var email = NewEmail();
        for (var i = 0; i < 3 * Limits.AccountMaxClients; i++)
        {
            Assert.Equal(Kind.Ok, (await GuessAsync(email, $"198.51.100.{i}", correct: true)).Kind);
        }
        for (var i = 0; i < Limits.AccountMaxClients - 1; i++)
        {
            Assert.Equal(Kind.Unauthorized, (await GuessAsync(email, $"203.0.113.{i}")).Kind);
        }
    }

    [Fact]
    public async Task A_known_address_is_forgotten_after_the_known_client_period()
    {
        var email = NewEmail();
        Assert.Equal(Kind.Ok, (await GuessAsync(email, "198.51.100.201", correct: true)).Kind);
        _clock.Advance(Limits.KnownClientPeriod + TimeSpan.FromMinutes(1));
        for (var i = 0; i < Limits.AccountMaxClients; i++)
        {
            await GuessAsync(email, $"203.0.113.{i}");
        }

        Assert.Equal(Kind.AccountLocked, (await GuessAsync(email, "198.51.100.201", correct: true)).Kind);
    }

    private enum Kind { Ok, Unauthorized, Locked, AccountLocked }

    private sealed record Guess(Kind Kind, DateTimeOffset? Until = null);

    /// <summary>One login as UsersGrpcService.Login runs it, the password check replaced by <paramref name="correct"/>.</summary>
    private async Task<Guess> GuessAsync(string email, string client, bool correct = false)
    {
        await using var db = new UsersDbContext(new DbContextOptionsBuilder<UsersDbContext>().UseServicePostgres(users.Database.ConnectionString).Options);
        var store = new LoginThrottleStore(db, Microsoft.Extensions.Options.Options.Create(new ThrottlingOptions { Login = Limits }), _clock);
        var attempt = await store.BeginAttemptAsync(email, client, default);
        if (attempt.RefusedUntil is { } until)
        {
            return new(attempt.AccountWide ? Kind.AccountLocked : Kind.Locked, until);
        }
        if (correct)
        {
            await store.SucceededAsync(email, client, attempt, default);
            return new(Kind.Ok);
        }
        var (address, account) = await store.FailedAsync(email, client, default);
        return address is { } a ? new(Kind.Locked, a)
            : account is { } b && !attempt.KnownClient ? new(Kind.AccountLocked, b)
            : new(Kind.Unauthorized);
    }

    private async Task<TimeSpan> LockAddressAsync(string email, string client)
    {
        Guess outcome;
        do
        {
            outcome = await GuessAsync(email, client);
        }
        while (outcome.Kind == Kind.Unauthorized);
        Assert.Equal(Kind.Locked, outcome.Kind);
        return outcome.Until!.Value - _clock.Now;
    }

    private static string NewEmail() => UsersFixture.UniqueEmail("store").ToUpperInvariant();

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; private set; } = start.TruncateToPostgresPrecision();

        public override DateTimeOffset GetUtcNow() => Now;

        public void Advance(TimeSpan by) => Now += by;
    }
}
