using GoMicro.Users.Accounts;
using GoMicro.Users.Infrastructure;
using GoMicro.Users.Tokens;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace GoMicro.Users;

public static class ApplicationServices
{
    public const string ServiceName = ServiceDefaults.ServiceNames.Users;

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddPostgresDbContext<UsersDbContext>();
        // A throttle row past its window and lockout counts nothing any more, unless it is the
        // memory that its address logged into the account within Login:KnownClientPeriod.
        var knownFor = (long)(builder.Configuration.GetSection(LoginLimits.Section).Get<LoginLimits>() ?? new LoginLimits()).KnownClientPeriod.TotalSeconds;
        builder.Services.AddRetentionRule<UsersDbContext>(new RetentionRule(
            "LoginThrottles", "login_throttles", "window_started_at",
            $"(locked_until IS NULL OR locked_until < now()) AND (succeeded_at IS NULL OR succeeded_at < now() - make_interval(secs => {knownFor.ToString(CultureInfo.InvariantCulture)}))",
            TimeSpan.FromDays(1)));
        builder.AddTokens();

        builder.Services.AddSingleton(TimeProvider.System);
        // OWASP's current floor for PBKDF2-HMAC-SHA512 (the framework's default is 100,000); a
        // hash made with fewer iterations is rehashed at the next successful login.
        builder.Services.Configure<PasswordHasherOptions>(o => o.IterationCount = PasswordHashing.Iterations);
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        builder.Services.AddSingleton<ILookupNormalizer, UpperInvariantLookupNormalizer>();
        // Sections Login and RateLimits, validated at start-up.
        builder.Services.AddOptions<ThrottlingOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ThrottlingOptions>, ThrottlingOptionsValidator>();
        builder.Services.AddScoped<LoginThrottleStore>();
        builder.Services.AddCredentialRateLimit();

        builder.Services.Configure<AdminOptions>(builder.Configuration.GetSection(AdminOptions.Section));
        builder.Services.AddHostedService<AdminBootstrapper>();
        return builder;
    }

    /// <summary>Runs after routing (MapDefaultEndpoints), so the rate limiter sees which endpoint it guards.</summary>
    public static WebApplication MapUsersApi(this WebApplication app)
    {
        app.UseRateLimiter();
        app.MapGrpcService<UsersGrpcService>();
        app.MapJwks();
        return app;
    }
}
