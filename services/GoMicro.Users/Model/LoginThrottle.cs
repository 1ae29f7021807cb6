namespace GoMicro.Users.Model;

/// <summary>
/// Login throttling state for one normalized email, known or not (so throttling does not reveal
/// which emails have accounts): one row per client address that tried it (the tight limit, and
/// the memory that an address has logged into the account before), and one account-wide row
/// (<see cref="Client"/> = <see cref="AccountWide"/>) that counts the addresses. Kept in
/// PostgreSQL so every replica sees the same counts.
/// </summary>
public sealed class LoginThrottle
{
    /// <summary>The <see cref="Client"/> of the account-wide row; never a client address.</summary>
    public const string AccountWide = "*";

    public required string NormalizedEmail { get; set; }

    /// <summary>The client address (GoMicro.ServiceDefaults.Hosting.ClientAddress), or <see cref="AccountWide"/>.</summary>
    public required string Client { get; set; }

    /// <summary>
    /// Address rows: attempts counted in the current window. Account row: client addresses whose
    /// window started within the account's current window (each address counts once).
    /// </summary>
    public int Failures { get; set; }

    public DateTimeOffset WindowStartedAt { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>Lockouts in a row, for the back-off; forgotten after a quiet window or a success.</summary>
    public int Lockouts { get; set; }

    /// <summary>Address rows: the last successful login from this address to this account.</summary>
    public DateTimeOffset? SucceededAt { get; set; }
}
