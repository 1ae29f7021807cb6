namespace GoMicro.Users.Model;

public sealed class User
{
    public Guid Id { get; set; }

    /// <summary>As the user typed it; shown back to them.</summary>
    public required string Email { get; set; }

    /// <summary>Upper-cased email, unique: "Ann@x.io" and "ann@X.IO" are one account.</summary>
    public required string NormalizedEmail { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>ASP.NET Core Identity's PasswordHasher format (PBKDF2, versioned).</summary>
    public required string PasswordHash { get; set; }

    public List<string> Roles { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
