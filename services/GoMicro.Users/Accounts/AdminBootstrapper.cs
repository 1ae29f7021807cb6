using GoMicro.ServiceDefaults.Auth;
using GoMicro.ServiceDefaults.Hosting;
using GoMicro.Users.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GoMicro.Users.Accounts;

/// <summary>
/// Ensures the configured admin exists and has the admin role. An existing account keeps its
/// password (rotating Admin__Password later does not silently reset a changed one), and is
/// promoted only when its password is Admin__Password: an address anyone may have registered
/// proves nothing.
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
                LogCreated(logger);
            }
            else if (!user.Roles.Contains(Roles.Admin))
            {
                // Registration is open and unverified: whoever registered this address first
                // must not become admin by it. Only the holder of Admin__Password is promoted.
                var hasher = scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>();
                if (hasher.VerifyHashedPassword(user, user.PasswordHash, admin.Password) == PasswordVerificationResult.Failed)
                {
                    LogNotPromoted(logger);
                    return;
                }
                user.Roles = [.. user.Roles, Roles.Admin];
                LogPromoted(logger);
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

    // The address is not logged: logs travel further than the database.
    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrap admin (Admin__Email) created")]
    private static partial void LogCreated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "The existing account of Admin__Email proved Admin__Password and was promoted to admin")]
    private static partial void LogPromoted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "An account with the address of Admin__Email exists, but its password is not Admin__Password: it was NOT made admin. Someone else may have registered that address; set another Admin__Email, or delete that account.")]
    private static partial void LogNotPromoted(ILogger logger);
}
