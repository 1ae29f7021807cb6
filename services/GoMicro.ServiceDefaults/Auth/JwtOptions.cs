using GoMicro.ServiceDefaults.Hosting;

namespace GoMicro.ServiceDefaults.Auth;

/// <summary>Section "Jwt": what every service expects of an access token.</summary>
public sealed class JwtOptions
{
    public const string Section = "Jwt";

    /// <summary>Algorithms a token may be signed with; anything else, "none", HS256 and RS256 included, is refused.</summary>
    public static readonly IReadOnlyList<string> AllowedAlgorithms = [JwtSigning.Algorithm];

    /// <summary>Who issues access tokens (the users service) and whom they are for, unless Jwt__Issuer and Jwt__Audience say otherwise.</summary>
    public const string DefaultIssuer = "gomicro-users";
    public const string DefaultAudience = "gomicro";

    /// <summary>Where the users service serves its public keys, on its HTTP port.</summary>
    public const string JwksPath = "/.well-known/jwks.json";

    /// <summary>The JWKS of the users service at <paramref name="usersHost"/> (Jwt__JwksUrl).</summary>
    public static string JwksUrlAt(string usersHost) => $"http://{usersHost}:{ListenOptions.DefaultHttpPort}{JwksPath}";

    public string Issuer { get; set; } = DefaultIssuer;
    public string Audience { get; set; } = DefaultAudience;

    /// <summary>The users service's JWKS (<see cref="JwksUrlAt(string)"/>); not needed by users itself.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>
    /// How many validated tokens each service remembers (<see cref="ValidatedTokenCache"/>), so a
    /// client's repeated requests skip the signature check; 0 validates every request in full.
    /// </summary>
    public int ValidatedTokenCacheSize { get; set; } = 4096;
}
