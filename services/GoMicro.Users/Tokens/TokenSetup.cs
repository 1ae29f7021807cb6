using System.Text.Json;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace GoMicro.Users.Tokens;

internal static partial class TokenSetup
{
    /// <summary>
    /// The signing key from Jwt:SigningKeyPath; in Development only, a generated key when none
    /// is set. The service validates its own tokens with the same key, no JWKS round trip.
    /// </summary>
    public static void AddTokens(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<TokenOptions>(builder.Configuration.GetSection(ServiceDefaults.Auth.JwtOptions.Section));
        var path = builder.Configuration["Jwt:SigningKeyPath"];
        if (string.IsNullOrWhiteSpace(path) && !builder.Environment.IsDevelopment())
        {
            throw new MissingConfigurationException("Jwt:SigningKeyPath");
        }
        if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path) && builder.Configuration.GetValue<bool>("Jwt:CreateKeyIfMissing"))
        {
            SigningKey.CreateFile(path);
        }
        var key = string.IsNullOrWhiteSpace(path) ? SigningKey.Generate() : SigningKey.FromFile(path);
        builder.Services.AddSingleton(key);
        builder.Services.AddHostedService(sp => new GeneratedKeyWarning(path, sp.GetRequiredService<ILogger<SigningKey>>()));
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme,
            options => options.TokenValidationParameters.IssuerSigningKey = key.Key);
    }

    public static void MapJwks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(ServiceDefaults.Auth.JwtOptions.JwksPath, (SigningKey key, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            var jwk = key.PublicJwk;
            return Results.Json(new
            {
                keys = new[] { new { kty = jwk.Kty, use = jwk.Use, alg = jwk.Alg, kid = jwk.Kid, crv = jwk.Crv, x = jwk.X, y = jwk.Y, n = jwk.N, e = jwk.E } },
            }, JwksJson);
        }).AllowAnonymous();
    }

    private static readonly JsonSerializerOptions JwksJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private sealed partial class GeneratedKeyWarning(string? path, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                LogGeneratedKey(logger);
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "!!! Jwt__SigningKeyPath is not set: signing tokens with a GENERATED DEVELOPMENT KEY. Tokens will not survive a restart and differ per replica. Never run like this outside development. !!!")]
    private static partial void LogGeneratedKey(ILogger logger);
}
