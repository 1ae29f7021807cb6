namespace GoMicro.Users.Model;

/// <summary>
/// Failed logins for one normalized email, known or not (so throttling does not reveal
/// which emails have accounts). Kept in PostgreSQL so every replica sees the same count.
/// </summary>
public sealed class LoginThrottle
{
    public required string NormalizedEmail { get; set; }

    public int Failures { get; set; }

    public DateTimeOffset WindowStartedAt { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }
}
