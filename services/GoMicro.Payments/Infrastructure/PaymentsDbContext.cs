using GoMicro.Messaging;

namespace GoMicro.Payments.Infrastructure;

public sealed class PaymentsDbContext(DbContextOptions<PaymentsDbContext> options) : DbContext(options)
{
    public DbSet<Payment> Payments => Set<Payment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Payment>(payment =>
        {
            payment.ToTable("payments");
            payment.HasKey(p => p.Id).HasName("PK_payments");
            payment.Property(p => p.IdempotencyKey).HasMaxLength(100);
            payment.Property(p => p.RequestHash).HasMaxLength(64);
            payment.Property(p => p.Status).HasConversion<string>().HasMaxLength(20);
            payment.Property(p => p.Currency).HasMaxLength(3).IsFixedLength();
            payment.Property(p => p.PaymentMethod).HasMaxLength(100);
            payment.Property(p => p.ProviderReference).HasMaxLength(100);
            payment.Property(p => p.Reason).HasMaxLength(500);
            payment.Property(p => p.Version).IsRowVersion();
            payment.HasIndex(p => new { p.UserId, p.IdempotencyKey }).IsUnique().HasDatabaseName("IX_payments_user_id_idempotency_key");
            payment.HasIndex(p => new { p.UserId, p.CreatedAt, p.Id }).HasDatabaseName("IX_payments_user_id_created_at_id");
            payment.HasIndex(p => new { p.Status, p.UpdatedAt }).HasDatabaseName("IX_payments_status_updated_at");
            payment.OwnsMany(p => p.Lines, line =>
            {
                line.ToTable("payment_lines");
                line.WithOwner().HasForeignKey("payment_id").HasConstraintName("FK_payment_lines_payments_payment_id");
                line.HasIndex("payment_id").HasDatabaseName("IX_payment_lines_payment_id");
                line.Property<int>("id");
                line.HasKey("id").HasName("PK_payment_lines");
                line.Property(l => l.ProductId).HasMaxLength(36);
                line.Property(l => l.Name).HasMaxLength(200);
            });
            payment.Navigation(p => p.Lines).AutoInclude();
        });

        modelBuilder.AddOutboxAndInbox();
    }
}
