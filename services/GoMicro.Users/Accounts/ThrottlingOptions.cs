using GoMicro.ServiceDefaults.Hosting;
using Microsoft.Extensions.Options;

namespace GoMicro.Users.Accounts;

/// <summary>
/// Everything that slows password guessing down, bound from the configuration root: section
/// "Login" (the throttle in PostgreSQL, shared by all replicas) and section "RateLimits" (ASP.NET
/// Core's rate limiter, in memory per replica). Defaults here; environment variables in ASP.NET
/// Core's form (Login__MaxFailures, RateLimits__Credentials__TokenLimit, …).
/// </summary>
public sealed class ThrottlingOptions
{
    public LoginLimits Login { get; set; } = new();

    public RateLimitLimits RateLimits { get; set; } = new();
}

/// <summary>
/// Section "Login". Two limits, as OWASP's Authentication Cheat Sheet suggests for lockouts that
/// an attacker cannot turn against the victim:
/// <list type="bullet">
/// <item>per (account, client address), tight: after <see cref="MaxFailures"/> wrong passwords
/// within <see cref="FailureWindow"/>, that address may not try that account for
/// <see cref="Lockout"/>, doubled at each lockout in a row up to <see cref="MaxLockout"/>. It
/// costs the guesser only.</item>
/// <item>per account, looser and short: when wrong passwords for it came from
/// <see cref="AccountMaxClients"/> different addresses within one window, addresses that have not
/// logged into it within <see cref="KnownClientPeriod"/> wait <see cref="AccountLockout"/>
/// (doubled in a row, at most <see cref="AccountMaxLockout"/>). Addresses, not guesses, are
/// counted, so one address can never trigger it; a distributed attack can only slow newcomers
/// down for a few minutes; the owner at an address they logged in from is never held up by
/// it.</item>
/// </list>
/// Refused attempts count nothing and check no password; a success forgets the address's
/// failures and back-off.
/// </summary>
public sealed class LoginLimits
{
    public const string Section = "Login";

    public int MaxFailures { get; set; } = 5;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan MaxLockout { get; set; } = TimeSpan.FromMinutes(15);

    public int AccountMaxClients { get; set; } = 10;

    public TimeSpan AccountLockout { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan AccountMaxLockout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a successful login makes its address known to the account; zero turns the exemption off.</summary>
    public TimeSpan KnownClientPeriod { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The <paramref name="lockouts"/>-th lockout in a row lasts <paramref name="first"/> × 2^(n−1), at most <paramref name="max"/>.</summary>
    public static TimeSpan BackOff(TimeSpan first, TimeSpan max, int lockouts) =>
        Backoff.Exponential(first, max, lockouts);
}

/// <summary>Section "RateLimits": ASP.NET Core's rate limiter, per client address.</summary>
public sealed class RateLimitLimits
{
    public const string Section = "RateLimits";

    /// <summary>Register and Login together (the anonymous endpoints that hash a password), over gRPC and HTTP/JSON alike.</summary>
    public TokenBucketLimits Credentials { get; set; } = new();
}

/// <summary>A token bucket: bursts of up to <see cref="TokenLimit"/> requests, refilled by <see cref="TokensPerPeriod"/> every <see cref="ReplenishmentPeriod"/>.</summary>
public sealed class TokenBucketLimits
{
    public int TokenLimit { get; set; } = 100;

    public int TokensPerPeriod { get; set; } = 1;

    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Values that cannot work stop the start, naming the variable.</summary>
internal sealed class ThrottlingOptionsValidator : IValidateOptions<ThrottlingOptions>
{
    public ValidateOptionsResult Validate(string? name, ThrottlingOptions options)
    {
        var login = options.Login;
        var bucket = options.RateLimits.Credentials;
        var errors = new List<string>();
        void Require(bool ok, string key, string rule)
        {
            if (!ok)
            {
                errors.Add($"{MissingConfigurationException.ToEnvironmentName(key)} {rule}");
            }
        }
        Require(login.MaxFailures >= 1, "Login:MaxFailures", "must be at least 1");
        Require(login.FailureWindow > TimeSpan.Zero, "Login:FailureWindow", "must be positive");
        Require(login.Lockout > TimeSpan.Zero, "Login:Lockout", "must be positive");
        Require(login.MaxLockout >= login.Lockout, "Login:MaxLockout", "must be at least Login__Lockout");
        // One address counts at most once per window: two or more addresses are needed, so one alone can never lock the account.
        Require(login.AccountMaxClients >= 2, "Login:AccountMaxClients", "must be at least 2");
        Require(login.AccountLockout > TimeSpan.Zero, "Login:AccountLockout", "must be positive");
        Require(login.AccountMaxLockout >= login.AccountLockout, "Login:AccountMaxLockout", "must be at least Login__AccountLockout");
        Require(login.KnownClientPeriod >= TimeSpan.Zero, "Login:KnownClientPeriod", "must not be negative");
        Require(bucket.TokenLimit >= 1, "RateLimits:Credentials:TokenLimit", "must be at least 1");
        Require(bucket.TokensPerPeriod >= 1, "RateLimits:Credentials:TokensPerPeriod", "must be at least 1");
        Require(bucket.ReplenishmentPeriod > TimeSpan.Zero, "RateLimits:Credentials:ReplenishmentPeriod", "must be positive");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
