using System.Net.Mail;
using GoMicro.ServiceDefaults.Validation;

namespace GoMicro.Users.Accounts;

/// <summary>What a valid email, password and display name are. Each failure names its field.</summary>
public static class AccountRules
{
    public const int MaxEmailLength = 254;
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;
    public const int MaxDisplayNameLength = 100;

    public static string Email(string? value)
    {
        var email = value?.Trim() ?? "";
        if (email.Length == 0)
        {
            throw RpcErrors.InvalidArgument("email", "is required");
        }
        if (email.Length > MaxEmailLength)
        {
            throw RpcErrors.InvalidArgument("email", $"must be at most {MaxEmailLength} characters");
        }
        TextRules.Clean(email, "email");
        if (!MailAddress.TryCreate(email, out var address) || address.Address != email || !address.Host.Contains('.', StringComparison.Ordinal))
        {
            throw RpcErrors.InvalidArgument("email", "must be a valid email address such as ann@example.com");
        }
        return email;
    }

    /// <summary>Long enough, not absurdly long, and not one kind of character only.</summary>
    public static void Password(string? value, string field = "password")
    {
        var password = value ?? "";
        if (password.Length < MinPasswordLength)
        {
            throw RpcErrors.InvalidArgument(field, $"must be at least {MinPasswordLength} characters");
        }
        if (password.Length > MaxPasswordLength)
        {
            throw RpcErrors.InvalidArgument(field, $"must be at most {MaxPasswordLength} characters");
        }
        if (!password.Any(char.IsLetter) || password.All(char.IsLetter))
        {
            throw RpcErrors.InvalidArgument(field, "must contain letters and at least one digit or symbol");
        }
    }

    public static string DisplayName(string? value)
    {
        var name = value?.Trim() ?? "";
        if (name.Length == 0)
        {
            throw RpcErrors.InvalidArgument("display_name", "is required");
        }
        if (name.Length > MaxDisplayNameLength)
        {
            throw RpcErrors.InvalidArgument("display_name", $"must be at most {MaxDisplayNameLength} characters");
        }
        return TextRules.Clean(name, "display_name");
    }
}
