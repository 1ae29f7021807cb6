using GoMicro.Users.Infrastructure;
using Microsoft.Extensions.Options;

namespace GoMicro.Users.Accounts;

/// <summary>
/// Counts failed logins per email in one atomic statement, so concurrent attempts across
/// replicas cannot slip past the limit between a read and a write.
/// </summary>
public sealed class LoginThrottleStore(UsersDbContext db, IOptions<LoginThrottleOptions> options, TimeProvider clock)
{
    /// <summary>When the email is locked out, until when.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        var lockedUntil = await db.LoginThrottles
            .Where(t => t.NormalizedEmail == normalizedEmail)
            .Select(t => t.LockedUntil)
            .FirstOrDefaultAsync(cancellationToken);
        return lockedUntil > clock.GetUtcNow() ? lockedUntil : null;
    }

    /// <summary>Records a failure; returns the lockout end when this failure reached the limit.</summary>
    public async Task<DateTimeOffset?> RecordFailureAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var windowStart = now - o.FailureWindow;
        var lockedUntil = now + o.Lockout;
        // A failure past the window starts a new count; reaching the limit locks the email and
        // resets the count, so after the lockout the user has the full number of attempts again.
        var rows = await db.Database.SqlQuery<DateTimeOffset?>($"""
            INSERT INTO login_throttles AS t (normalized_email, failures, window_started_at, locked_until)
            VALUES ({normalizedEmail}, 1, {now}, CASE WHEN 1 >= {o.MaxFailures} THEN {lockedUntil} END)
            ON CONFLICT (normalized_email) DO UPDATE SET
                failures = CASE
                    WHEN t.window_started_at < {windowStart} THEN 1
                    WHEN t.failures + 1 >= {o.MaxFailures} THEN 0
                    ELSE t.failures + 1 END,
                window_started_at = CASE WHEN t.window_started_at < {windowStart} THEN {now} ELSE t.window_started_at END,
                locked_until = CASE
                    WHEN t.window_started_at >= {windowStart} AND t.failures + 1 >= {o.MaxFailures} THEN {lockedUntil}
                    ELSE t.locked_until END
            RETURNING t.locked_until AS "Value"
            """).ToListAsync(cancellationToken);
        return rows.FirstOrDefault() is { } until && until > now ? until : null;
    }

    public Task ResetAsync(string normalizedEmail, CancellationToken cancellationToken) =>
        db.LoginThrottles.Where(t => t.NormalizedEmail == normalizedEmail).ExecuteDeleteAsync(cancellationToken);
}
