using GoMicro.ServiceDefaults.Auth;
using GoMicro.ServiceDefaults.Hosting;
using GoMicro.Users.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GoMicro.Users.Accounts;

/// <summary>
/// Ensures the configured admin exists and has the admin role. An existing account keeps its
/// password: rotating Admin__Password later does not silently reset a changed one.
/// Registered after the migrator, so it runs on a migrated schema.
/// </summary>
internal sealed partial class AdminBootstrapper(
    IServiceScopeFactory scopes, IOptions<AdminOptions> options, TimeProvider clock, ILogger<AdminBootstrapper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value;
        if (string.IsNullOrWhiteSpace(admin.Email))
        {
            return;
        }
        var email = AccountRules.Email(admin.Email);
        if (string.IsNullOrEmpty(admin.Password))
        {
            throw new MissingConfigurationException("Admin:Password");
        }
        AccountRules.Password(admin.Password, "Admin__Password");

        await StartupRetry.ExecuteAsync(async token =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<UsersDbContext>();
            var normalized = scope.ServiceProvider.GetRequiredService<ILookupNormalizer>().NormalizeEmail(email);
            var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, token);
            if (user is null)
            {
                var now = clock.GetUtcNowForPostgres();
                user = new User
                {
                    Id = Guid.CreateVersion7(),
                    Email = email,
                    NormalizedEmail = normalized,
                    DisplayName = AccountRules.DisplayName(admin.DisplayName),
                    PasswordHash = "",
                    Roles = [Roles.Customer, Roles.Admin],
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                user.PasswordHash = scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>().HashPassword(user, admin.Password);
                db.Users.Add(user);
                LogCreated(logger, email);
            }
            else if (!user.Roles.Contains(Roles.Admin))
            {
                user.Roles = [.. user.Roles, Roles.Admin];
                LogPromoted(logger, email);
            }
            try
            {
                await db.SaveChangesAsync(token);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // Another replica created it at the same moment: the goal is reached.
            }
        }, logger, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrap admin {Email} created")]
    private static partial void LogCreated(ILogger logger, string email);

    [LoggerMessage(Level = LogLevel.Information, Message = "Existing account {Email} promoted to admin")]
    private static partial void LogPromoted(ILogger logger, string email);
}
