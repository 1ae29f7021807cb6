namespace GoMicro.ServiceDefaults.Auth;

/// <summary>Section "Jwt": what every service expects of an access token.</summary>
public sealed class JwtOptions
{
    public const string Section = "Jwt";

    /// <summary>Algorithms a token may be signed with; anything else, "none", HS256 and RS256 included, is refused.</summary>
    public static readonly IReadOnlyList<string> AllowedAlgorithms = [JwtSigning.Algorithm];

    public string Issuer { get; set; } = "";
    public string Audience { get; set; } = "";

    /// <summary>The users service's /.well-known/jwks.json; not needed by users itself.</summary>
    public string? JwksUrl { get; set; }
}
