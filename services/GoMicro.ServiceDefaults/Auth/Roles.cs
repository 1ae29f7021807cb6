namespace GoMicro.ServiceDefaults.Auth;

public static class Roles
{
    public const string Customer = "customer";
    public const string Admin = "admin";
}

/// <summary>Claim names as they travel in our tokens (no inbound claim mapping).</summary>
public static class ClaimNames
{
    public const string Subject = "sub";
    public const string Email = "email";
    public const string Name = "name";
    public const string Role = "role";
}
