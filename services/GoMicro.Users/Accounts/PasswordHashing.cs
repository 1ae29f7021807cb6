namespace GoMicro.Users.Accounts;

/// <summary>How passwords are hashed: ASP.NET Core Identity's PasswordHasher (PBKDF2-HMAC-SHA512, format v3).</summary>
public static class PasswordHashing
{
    /// <summary>OWASP Password Storage Cheat Sheet, PBKDF2-HMAC-SHA512.</summary>
    public const int Iterations = 210_000;
}
