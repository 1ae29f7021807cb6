using GoMicro.Users.Infrastructure;
using Microsoft.Extensions.Options;

namespace GoMicro.Users.Accounts;

/// <summary>
/// Counts login attempts per email in atomic statements, before the password is checked, so
/// concurrent attempts across replicas cannot slip past the limit between a read and a write.
/// A success deletes the count.
/// </summary>
public sealed class LoginThrottleStore(UsersDbContext db, IOptions<LoginThrottleOptions> options, TimeProvider clock)
{
    /// <summary>
    /// Counts this attempt before the password is hashed, in one statement: concurrent guesses
    /// are serialised on the email's row, so no more than MaxFailures of them are ever checked
    /// in a window, however many arrive at once. Returns the lockout end when the attempt must
    /// be refused (already locked, or one past the limit, which locks).
    /// </summary>
    public async Task<DateTimeOffset?> BeginAttemptAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var windowStart = now - o.FailureWindow;
        var lockedUntil = now + o.Lockout;
        // Every SET expression reads the row as it was: locked stays locked; a stale window
        // starts again at this attempt; one attempt past the limit locks and resets the count.
        var rows = await db.Database.SqlQuery<DateTimeOffset?>($"""
            INSERT INTO login_throttles AS t (normalized_email, failures, window_started_at, locked_until)
            VALUES ({normalizedEmail}, 1, {now}, NULL)
            ON CONFLICT (normalized_email) DO UPDATE SET
                failures = CASE
                    WHEN t.locked_until > {now} THEN t.failures
                    WHEN t.window_started_at < {windowStart} THEN 1
                    WHEN t.failures + 1 > {o.MaxFailures} THEN 0
                    ELSE t.failures + 1 END,
                window_started_at = CASE
                    WHEN t.locked_until > {now} THEN t.window_started_at
                    WHEN t.window_started_at < {windowStart} THEN {now}
                    ELSE t.window_started_at END,
                locked_until = CASE
                    WHEN t.locked_until > {now} THEN t.locked_until
                    WHEN t.window_started_at >= {windowStart} AND t.failures + 1 > {o.MaxFailures} THEN {lockedUntil}
                    ELSE t.locked_until END
            RETURNING t.locked_until AS "Value"
            """).ToListAsync(cancellationToken);
        return rows.FirstOrDefault() is { } until && until > now ? until : null;
    }

    /// <summary>
    /// The attempt (already counted) failed; when it was the last one allowed, the email is
    /// locked now and the lockout end returned, so this answer already says when to come back.
    /// </summary>
    public async Task<DateTimeOffset?> FailedAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var lockedUntil = now + o.Lockout;
        var rows = await db.Database.SqlQuery<DateTimeOffset?>($"""
            UPDATE login_throttles SET failures = 0, locked_until = {lockedUntil}
            WHERE normalized_email = {normalizedEmail} AND failures >= {o.MaxFailures}
              AND (locked_until IS NULL OR locked_until <= {now})
            RETURNING locked_until AS "Value"
            """).ToListAsync(cancellationToken);
        return rows.FirstOrDefault();
    }

    public Task ResetAsync(string normalizedEmail, CancellationToken cancellationToken) =>
        db.LoginThrottles.Where(t => t.NormalizedEmail == normalizedEmail).ExecuteDeleteAsync(cancellationToken);
}
