using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GoMicro.ServiceDefaults.Auth;

/// <summary>
/// Remembers tokens that passed full validation, so a client's next requests with the same
/// token skip the ES256 signature check and the token parsing, the largest cost of an
/// authenticated read (as Envoy's jwt_authn does with its <c>jwt_cache_config</c>). Only a token
/// that validated is remembered, byte for byte: a tampered, forged or unknown token is a
/// different string and is validated in full. A remembered token is accepted only while
///  - it has not expired (its <c>exp</c>, without the clock skew a full validation allows, so the
///    cache never accepts what a full validation would refuse),
///  - the key that signed it is still among the keys the service trusts now (a key removed from
///    the JWKS takes its tokens with it, at the next request), and
///  - the expected issuer and audience are still those it was checked against.
/// The cache is bounded (<see cref="JwtOptions.ValidatedTokenCacheSize"/> tokens, 0 turns it off).
/// Each hit gets its own copy of the identity, so nothing a request does to it reaches another.
/// </summary>
public sealed class ValidatedTokenCache : TokenHandler, IDisposable
{
    private readonly JsonWebTokenHandler _inner = new() { MapInboundClaims = false };
    private readonly MemoryCache _cache;
    private readonly TimeProvider _clock;

    public ValidatedTokenCache(int size, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _clock = clock;
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = size, CompactionPercentage = 0.25 });
    }

    public int Count => _cache.Count;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_cache.TryGetValue(token, out Remembered? remembered) && await remembered!.StillHoldsAsync(validationParameters, _clock.GetUtcNow()))
        {
            return remembered.Result();
        }
        var result = await _inner.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt && result.ClaimsIdentity is { } identity)
        {
            var expires = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
            if (expires > _clock.GetUtcNow())
            {
                // A copy: the caller gets the original, and may change it.
                var entry = new Remembered(jwt, identity.Clone(), result.Issuer, jwt.Kid, validationParameters.ValidIssuer, validationParameters.ValidAudience, expires);
                _cache.Set(token, entry, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = expires });
            }
        }
        return result;
    }

    public override Task<TokenValidationResult> ValidateTokenAsync(SecurityToken token, TokenValidationParameters validationParameters) =>
        _inner.ValidateTokenAsync(token, validationParameters);

    public override SecurityToken ReadToken(string token) => _inner.ReadToken(token);

    public override int MaximumTokenSizeInBytes
    {
        get => _inner.MaximumTokenSizeInBytes;
        set => _inner.MaximumTokenSizeInBytes = value;
    }

    public void Dispose() => _cache.Dispose();

    private sealed record Remembered(JsonWebToken Token, ClaimsIdentity Identity, string? TokenIssuer, string? Kid, string? Issuer, string? Audience, DateTimeOffset Expires)
    {
        public async ValueTask<bool> StillHoldsAsync(TokenValidationParameters parameters, DateTimeOffset now) =>
            now < Expires
            && parameters.ValidIssuer == Issuer
            && parameters.ValidAudience == Audience
            && Kid is not null
            && await TrustsKeyAsync(parameters, Kid);

        /// <summary>
        /// Whether a key named <paramref name="kid"/> is trusted now: given directly (the users
        /// service's own key), or in the JWKS as the configuration manager holds it (JwtBearer
        /// hands the manager over rather than the keys; it answers from memory between refreshes).
        /// </summary>
        private static async ValueTask<bool> TrustsKeyAsync(TokenValidationParameters parameters, string kid)
        {
            if (parameters.IssuerSigningKey?.KeyId == kid || Named(parameters.IssuerSigningKeys, kid))
            {
                return true;
            }
            return parameters.ConfigurationManager is { } manager
                && Named((await manager.GetBaseConfigurationAsync(CancellationToken.None))?.SigningKeys, kid);
        }

        private static bool Named(IEnumerable<SecurityKey>? keys, string kid)
        {
            if (keys is not null)
            {
                foreach (var key in keys)
                {
                    if (key.KeyId == kid)
                    {
                        return true;
                    }
                }
            }
            return false;
        }

        public TokenValidationResult Result() => new()
        {
            IsValid = true,
            SecurityToken = Token,
            ClaimsIdentity = Identity.Clone(),
            Issuer = TokenIssuer,
            TokenType = Token.Typ,
        };
    }
}
