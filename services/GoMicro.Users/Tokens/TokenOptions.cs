namespace GoMicro.Users.Tokens;

/// <summary>The users service's part of section "Jwt": how it signs what it issues.</summary>
public sealed class TokenOptions
{
    /// <summary>PEM file of the private signing key: EC P-256 (ES256, the platform's one algorithm).</summary>
    public string? SigningKeyPath { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);
}
