using GoMicro.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace GoMicro.ServiceDefaults.Auth;

internal static class JwtAuthenticationSetup
{
    /// <summary>
    /// Bearer validation: issuer, audience, lifetime, signature and algorithm are all checked,
    /// roles come from the "role" claim and the caller from "sub". Keys come from the JWKS at
    /// Jwt:JwksUrl, or, in the users service, from its own key ring (it configures them).
    /// </summary>
    public static void AddJwtAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var jwt = configuration.GetSection(JwtOptions.Section).Get<JwtOptions>() ?? new JwtOptions();
        var issuer = configuration.GetRequired("Jwt:Issuer", JwtOptions.DefaultIssuer);
        var audience = configuration.GetRequired("Jwt:Audience", JwtOptions.DefaultAudience);
        services.Configure<JwtOptions>(configuration.GetSection(JwtOptions.Section));

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                // Nothing reads the token back from the authentication properties (a service that
                // calls another forwards the request's Authorization header): not stored per request.
                options.SaveToken = false;
                if (jwt.ValidatedTokenCacheSize > 0)
                {
                    options.TokenHandlers.Clear();
                    options.TokenHandlers.Add(new ValidatedTokenCache(jwt.ValidatedTokenCacheSize, TimeProvider.System));
                }
                // A refused HTTP/JSON call gets the same error body as every other refusal; a
                // gRPC call keeps the plain 401 that gRPC clients read as UNAUTHENTICATED.
                options.Events = new JwtBearerEvents
                {
                    OnChallenge = async context =>
                    {
                        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
                        {
                            return;
                        }
                        context.HandleResponse();
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
                        await context.Response.WriteAsJsonAsync(new
                        {
                            code = (int)global::Grpc.Core.StatusCode.Unauthenticated,
                            message = context.AuthenticateFailure is null ? "A bearer token is required." : "The bearer token is not valid.",
                            details = Array.Empty<object>(),
                        });
                    },
                };
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = issuer,
                    ValidAudience = audience,
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ValidateIssuerSigningKey = true,
                    // A token names its key: one whose kid matches no key is refused, in users
                    // (one key, no JWKS) as in every other service, instead of being tried on all.
                    TryAllIssuerSigningKeys = false,
                    ValidAlgorithms = JwtOptions.AllowedAlgorithms,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = ClaimNames.Subject,
                    RoleClaimType = ClaimNames.Role,
                };
                if (!string.IsNullOrWhiteSpace(jwt.JwksUrl))
                {
                    var documents = new HttpDocumentRetriever { RequireHttps = jwt.JwksUrl.StartsWith("https:", StringComparison.OrdinalIgnoreCase) };
                    options.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(jwt.JwksUrl, new JwksRetriever(issuer), documents)
                    {
                        AutomaticRefreshInterval = TimeSpan.FromMinutes(10),
                        RefreshInterval = TimeSpan.FromSeconds(30),
                    };
                }
            });

        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Validate(
                o => o.ConfigurationManager is not null || o.TokenValidationParameters.IssuerSigningKey is not null || o.TokenValidationParameters.IssuerSigningKeys?.Any() == true,
                new MissingConfigurationException("Jwt:JwksUrl").Message)
            .ValidateOnStart();

        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Admin, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin));
    }
}
