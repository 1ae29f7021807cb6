using System.Runtime.CompilerServices;
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
///  - the key that signed it, the same key material under the same kid, is still among the keys
///    the service trusts now (a key removed from the JWKS takes its tokens with it, at the next
///    request), and
///  - the expected issuer and audience are still those it was checked against (the other
///    validation settings are fixed per authentication scheme, and each scheme has its own cache).
/// A token without a kid is not remembered.
/// The cache is bounded (<see cref="JwtOptions.ValidatedTokenCacheSize"/> tokens, 0 turns it off).
/// Each hit gets its own copy of the identity, so nothing a request does to it reaches another.
/// </summary>
internal sealed class ValidatedTokenCache : TokenHandler, IDisposable
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
        if (result.IsValid && result.SecurityToken is JsonWebToken { Kid: not null, SigningKey: { } signingKey } jwt && result.ClaimsIdentity is { } identity
            && Thumbprint(signingKey) is { } thumbprint)
        {
            var expires = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
            if (expires > _clock.GetUtcNow())
            {
                // A copy: the caller gets the original, and may change it.
                var entry = new Remembered(jwt, identity.Clone(), result.Issuer, jwt.Kid, thumbprint, validationParameters.ValidIssuer, validationParameters.ValidAudience, expires);
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

    // A key's RFC 7638 thumbprint, once per key object (the JWKS's keys live until its next refresh).
    private static readonly ConditionalWeakTable<SecurityKey, string> Thumbprints = [];

    private static string? Thumbprint(SecurityKey key) =>
        Thumbprints.TryGetValue(key, out var known) ? known
        : key.CanComputeJwkThumbprint() ? Thumbprints.GetValue(key, k => Base64UrlEncoder.Encode(k.ComputeJwkThumbprint()))
        : null;

    private sealed record Remembered(JsonWebToken Token, ClaimsIdentity Identity, string? TokenIssuer, string Kid, string KeyThumbprint, string? Issuer, string? Audience, DateTimeOffset Expires)
    {
        public async ValueTask<bool> StillHoldsAsync(TokenValidationParameters parameters, DateTimeOffset now) =>
            now < Expires
            && parameters.ValidIssuer == Issuer
            && parameters.ValidAudience == Audience
            && await TrustsKeyAsync(parameters);

        /// <summary>
        /// Whether the signing key is trusted now: given directly (the users service's own key),
        /// or in the JWKS as the configuration manager holds it (JwtBearer hands the manager over
        /// rather than the keys; it answers from memory between refreshes).
        /// </summary>
        private async ValueTask<bool> TrustsKeyAsync(TokenValidationParameters parameters)
        {
            if ((parameters.IssuerSigningKey is { } single && IsSigningKey(single)) || Includes(parameters.IssuerSigningKeys))
            {
                return true;
            }
            return parameters.ConfigurationManager is { } manager
                && Includes((await manager.GetBaseConfigurationAsync(CancellationToken.None))?.SigningKeys);
        }

        private bool Includes(IEnumerable<SecurityKey>? keys) => keys?.Any(IsSigningKey) == true;

        private bool IsSigningKey(SecurityKey key) => key.KeyId == Kid && Thumbprint(key) == KeyThumbprint;

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
