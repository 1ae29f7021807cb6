namespace GoMicro.Users.Accounts;

/// <summary>Section "Login": after MaxFailures wrong passwords within FailureWindow, refuse logins for that email for Lockout.</summary>
public sealed class LoginThrottleOptions
{
    public const string Section = "Login";

    public int MaxFailures { get; set; } = 5;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(5);
}
