using GoMicro.Users.Infrastructure;
using Microsoft.Extensions.Options;

namespace GoMicro.Users.Accounts;

/// <summary>What counting one login attempt decided.</summary>
/// <param name="RefusedUntil">Set when the attempt must be refused without checking the password: until when.</param>
/// <param name="AccountWide">Whether the refusal is the account-wide lockout (else the address's own).</param>
/// <param name="KnownClient">The address logged into this account within Login:KnownClientPeriod, so the account-wide lockout does not hold it up.</param>
/// <param name="CountedInAccountWindow">Set when this attempt counted its address at the account: the account window it counted in.</param>
public sealed record LoginAttempt(DateTimeOffset? RefusedUntil, bool AccountWide, bool KnownClient, DateTimeOffset? CountedInAccountWindow);

/// <summary>
/// The login throttle (see <see cref="LoginLimits"/>), in PostgreSQL so every replica agrees.
/// Each attempt is counted before its password is hashed, in one short transaction that holds
/// the email's account-wide row: concurrent attempts at one email, from any address and any
/// replica, are counted one after the other, so no more than the limits are ever checked,
/// however many arrive at once.
/// </summary>
public sealed class LoginThrottleStore(UsersDbContext db, IOptions<ThrottlingOptions> options, TimeProvider clock)
{
    private LoginLimits Limits => options.Value.Login;

    public async Task<LoginAttempt> BeginAttemptAsync(string normalizedEmail, string client, CancellationToken cancellationToken)
    {
        var o = Limits;
        var now = clock.GetUtcNowForPostgres();
        var windowStart = now - o.FailureWindow;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // The account row first, always (created if missing, and locked by the upsert), then the
        // address's row: every attempt takes the two locks in the same order.
        var account = (await db.LoginThrottles.FromSql($"""
            INSERT INTO login_throttles AS t (normalized_email, client, failures, window_started_at, lockouts)
            VALUES ({normalizedEmail}, {LoginThrottle.AccountWide}, 0, {now}, 0)
            ON CONFLICT (normalized_email, client) DO UPDATE SET failures = t.failures
            RETURNING *
            """).ToListAsync(cancellationToken)).Single();
        var address = (await db.LoginThrottles.FromSql($"""
            SELECT * FROM login_throttles WHERE normalized_email = {normalizedEmail} AND client = {client} FOR UPDATE
            """).ToListAsync(cancellationToken)).SingleOrDefault();

        try
        {
            if (address?.LockedUntil > now)
            {
                return new LoginAttempt(address.LockedUntil, AccountWide: false, KnownClient: false, null);
            }
            var known = o.KnownClientPeriod > TimeSpan.Zero && address?.SucceededAt > now - o.KnownClientPeriod;
            if (!known && account.LockedUntil > now)
            {
                return new LoginAttempt(account.LockedUntil, AccountWide: true, known, null);
            }

            // Count the attempt at its address; the address counts at the account once per window.
            var newWindow = address is null || address.WindowStartedAt < windowStart;
            if (address is null)
            {
                address = new LoginThrottle { NormalizedEmail = normalizedEmail, Client = client, WindowStartedAt = now };
                db.LoginThrottles.Add(address);
            }
            else if (newWindow)
            {
                StartWindow(address, now, o);
            }
            address.Failures++;
            if (account.WindowStartedAt < windowStart)
            {
                StartWindow(account, now, o);
            }
            if (newWindow)
            {
                account.Failures++;
            }

            // One past a limit locks, and this attempt is refused (a concurrent attempt counted
            // before it may still fail and reach the limit).
            LoginAttempt verdict = new(null, AccountWide: false, known, newWindow ? account.WindowStartedAt : null);
            if (address.Failures > o.MaxFailures)
            {
                Lock(address, now, o.Lockout, o.MaxLockout);
                verdict = new(address.LockedUntil, AccountWide: false, known, null);
            }
            if (account.Failures > o.AccountMaxClients && !(account.LockedUntil > now))
            {
                Lock(account, now, o.AccountLockout, o.AccountMaxLockout);
                if (!known && verdict.RefusedUntil is null)
                {
                    verdict = new(account.LockedUntil, AccountWide: true, known, null);
                }
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return verdict;
        }
        finally
        {
            // Commands below are single statements; these copies would be stale.
            db.Entry(account).State = EntityState.Detached;
            if (address is not null)
            {
                db.Entry(address).State = EntityState.Detached;
            }
        }
    }

    /// <summary>
    /// The attempt (already counted) had a wrong password. When its address reached its limit, or
    /// the account its limit of addresses, that lockout starts now and its end is returned, so
    /// this answer already says when to come back.
    /// </summary>
    public async Task<(DateTimeOffset? Address, DateTimeOffset? Account)> FailedAsync(string normalizedEmail, string client, CancellationToken cancellationToken)
    {
        var o = Limits;
        var now = clock.GetUtcNowForPostgres();
        // Separate statements, each locking one row: never holding one row while waiting for another.
        var address = await LockAsync(normalizedEmail, client, o.MaxFailures, o.Lockout, o.MaxLockout, now, now - o.FailureWindow, cancellationToken);
        var account = await LockAsync(normalizedEmail, LoginThrottle.AccountWide, o.AccountMaxClients, o.AccountLockout, o.AccountMaxLockout, now, now - o.FailureWindow, cancellationToken);
        return (address, account);
    }

    /// <summary>
    /// The right password: the address's failures and back-off are forgotten and it becomes known
    /// to the account; if this attempt counted the address at the account, it no longer does (an
    /// account used from many places is not a crowd of guessers).
    /// </summary>
    public async Task SucceededAsync(string normalizedEmail, string client, LoginAttempt attempt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNowForPostgres();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE login_throttles SET failures = 0, lockouts = 0, locked_until = NULL, succeeded_at = {now}
            WHERE normalized_email = {normalizedEmail} AND client = {client}
            """, cancellationToken);
        if (attempt.CountedInAccountWindow is { } window)
        {
            await db.Database.ExecuteSqlAsync($"""
                UPDATE login_throttles SET failures = failures - 1
                WHERE normalized_email = {normalizedEmail} AND client = {LoginThrottle.AccountWide}
                  AND window_started_at = {window} AND failures > 0
                """, cancellationToken);
        }
    }

    private async Task<DateTimeOffset?> LockAsync(
        string normalizedEmail, string client, int limit, TimeSpan first, TimeSpan max, DateTimeOffset now, DateTimeOffset windowStart, CancellationToken cancellationToken)
    {
        // The same back-off as LoginLimits.BackOff, from the lockouts in a row so far.
        var rows = await db.Database.SqlQuery<DateTimeOffset?>($"""
            UPDATE login_throttles
            SET failures = 0, lockouts = lockouts + 1,
                locked_until = {now} + make_interval(secs => LEAST({max.TotalSeconds}, {first.TotalSeconds} * power(2, LEAST(lockouts, 30))))
            WHERE normalized_email = {normalizedEmail} AND client = {client}
              AND failures >= {limit} AND window_started_at >= {windowStart}
              AND (locked_until IS NULL OR locked_until <= {now})
            RETURNING locked_until AS "Value"
            """).ToListAsync(cancellationToken);
        return rows.FirstOrDefault();
    }

    /// <summary>A new window; the back-off is forgotten when no lockout ended within the last window.</summary>
    private static void StartWindow(LoginThrottle row, DateTimeOffset now, LoginLimits o)
    {
        row.Failures = 0;
        row.WindowStartedAt = now;
        if (row.LockedUntil is null || row.LockedUntil < now - o.FailureWindow)
        {
            row.Lockouts = 0;
        }
    }

    private static void Lock(LoginThrottle row, DateTimeOffset now, TimeSpan first, TimeSpan max)
    {
        row.Failures = 0;
        row.Lockouts++;
        row.LockedUntil = now + LoginLimits.BackOff(first, max, row.Lockouts);
    }
}
