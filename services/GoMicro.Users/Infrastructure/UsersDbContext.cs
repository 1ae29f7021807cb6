using GoMicro.ServiceDefaults.Hosting;

namespace GoMicro.Users.Infrastructure;

public sealed class UsersDbContext(DbContextOptions<UsersDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<LoginThrottle> LoginThrottles => Set<LoginThrottle>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.Property(u => u.Id).HasColumnName("id");
            user.Property(u => u.Email).HasColumnName("email").HasMaxLength(254);
            user.Property(u => u.NormalizedEmail).HasColumnName("normalized_email").HasMaxLength(254);
            user.HasIndex(u => u.NormalizedEmail).IsUnique();
            user.Property(u => u.DisplayName).HasColumnName("display_name").HasMaxLength(100);
            user.Property(u => u.PasswordHash).HasColumnName("password_hash");
            user.Property(u => u.Roles).HasColumnName("roles");
            user.Property(u => u.CreatedAt).HasColumnName("created_at");
            user.Property(u => u.UpdatedAt).HasColumnName("updated_at");
            // Keyset paging of ListUsers walks this index.
            user.HasIndex(u => new { u.CreatedAt, u.Id });
        });

        modelBuilder.Entity<LoginThrottle>(throttle =>
        {
            throttle.ToTable("login_throttles");
            throttle.HasKey(t => new { t.NormalizedEmail, t.Client });
            throttle.Property(t => t.NormalizedEmail).HasColumnName("normalized_email").HasMaxLength(254);
            // A row written without a client (as every row was before addresses were counted) is
            // the account-wide one.
            throttle.Property(t => t.Client).HasColumnName("client").HasMaxLength(ClientAddress.MaxLength).HasDefaultValue(LoginThrottle.AccountWide);
            throttle.Property(t => t.Failures).HasColumnName("failures");
            throttle.Property(t => t.WindowStartedAt).HasColumnName("window_started_at");
            throttle.Property(t => t.LockedUntil).HasColumnName("locked_until");
            throttle.Property(t => t.Lockouts).HasColumnName("lockouts");
            throttle.Property(t => t.SucceededAt).HasColumnName("succeeded_at");
        });
    }
}
