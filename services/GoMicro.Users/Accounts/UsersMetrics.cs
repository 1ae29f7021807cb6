using Prometheus;

namespace GoMicro.Users.Accounts;

internal static class UsersMetrics
{
    public static readonly Counter Registrations = Metrics.CreateCounter(
        "gomicro_users_registrations_total", "Accounts created.");

    /// <summary>outcome: success, wrong_credentials, throttled (the address's lockout), throttled_account (the account-wide one).</summary>
    public static readonly Counter Logins = Metrics.CreateCounter(
        "gomicro_users_logins_total", "Login attempts by outcome.", "outcome");

    /// <summary>method: Register, Login.</summary>
    public static readonly Counter RateLimited = Metrics.CreateCounter(
        "gomicro_users_rate_limited_total", "Requests refused by the per-address rate limiter, by gRPC method.", "method");
}
