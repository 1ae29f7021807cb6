namespace GoMicro.Users.Accounts;

/// <summary>Section "Admin": the account made (or promoted) to admin at start-up.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string? Email { get; set; }

    public string? Password { get; set; }

    public string DisplayName { get; set; } = "Administrator";
}
