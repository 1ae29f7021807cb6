namespace GoMicro.Users.Tokens;

/// <summary>The users service's part of section "Jwt": how it signs what it issues.</summary>
public sealed class TokenOptions
{
    /// <summary>PEM file of the private signing key: EC P-256 (ES256) or RSA 2048+ (RS256).</summary>
    public string? SigningKeyPath { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);
}
