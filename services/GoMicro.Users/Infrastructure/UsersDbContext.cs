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
            user.HasKey(u => u.Id).HasName("PK_users");
            user.Property(u => u.Email).HasMaxLength(254);
            user.Property(u => u.NormalizedEmail).HasMaxLength(254);
            user.HasIndex(u => u.NormalizedEmail).IsUnique().HasDatabaseName("IX_users_normalized_email");
            user.Property(u => u.DisplayName).HasMaxLength(100);
            // Keyset paging of ListUsers walks this index.
            user.HasIndex(u => new { u.CreatedAt, u.Id }).HasDatabaseName("IX_users_created_at_id");
        });

        modelBuilder.Entity<LoginThrottle>(throttle =>
        {
            throttle.ToTable("login_throttles");
            throttle.HasKey(t => new { t.NormalizedEmail, t.Client }).HasName("PK_login_throttles");
            throttle.Property(t => t.NormalizedEmail).HasMaxLength(254);
            // A row written without a client (as every row was before addresses were counted) is
            // the account-wide one.
            throttle.Property(t => t.Client).HasMaxLength(ClientAddress.MaxLength).HasDefaultValue(LoginThrottle.AccountWide);
        });
    }
}
