using GoMicro.Messaging;
using GoMicro.Payments.Providers;

namespace GoMicro.Payments.Infrastructure;

public sealed class PaymentsDbContext(DbContextOptions<PaymentsDbContext> options) : DbContext(options)
{
    public DbSet<Payment> Payments => Set<Payment>();

    public DbSet<TestProcessorCharge> TestProcessorCharges => Set<TestProcessorCharge>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Payment>(payment =>
        {
            payment.ToTable("payments");
            payment.HasKey(p => p.Id);
            payment.Property(p => p.Id).HasColumnName("id");
            payment.Property(p => p.UserId).HasColumnName("user_id");
            payment.Property(p => p.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(100);
            payment.Property(p => p.RequestHash).HasColumnName("request_hash").HasMaxLength(64);
            payment.Property(p => p.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(20);
            payment.Property(p => p.AmountCents).HasColumnName("amount_cents");
            payment.Property(p => p.Currency).HasColumnName("currency").HasMaxLength(3).IsFixedLength();
            payment.Property(p => p.PaymentMethod).HasColumnName("payment_method").HasMaxLength(100);
            payment.Property(p => p.ProviderReference).HasColumnName("provider_reference").HasMaxLength(100);
            payment.Property(p => p.Reason).HasColumnName("reason").HasMaxLength(500);
            payment.Property(p => p.BasketVersion).HasColumnName("basket_version");
            payment.Property(p => p.CreatedAt).HasColumnName("created_at");
            payment.Property(p => p.UpdatedAt).HasColumnName("updated_at");
            payment.Property(p => p.Version).IsRowVersion();
            payment.HasIndex(p => new { p.UserId, p.IdempotencyKey }).IsUnique();
            payment.HasIndex(p => new { p.UserId, p.CreatedAt, p.Id });
            payment.HasIndex(p => new { p.Status, p.UpdatedAt });
            payment.OwnsMany(p => p.Lines, line =>
            {
                line.ToTable("payment_lines");
                line.WithOwner().HasForeignKey("payment_id");
                line.Property<int>("id").HasColumnName("id");
                line.HasKey("id");
                line.Property(l => l.ProductId).HasColumnName("product_id").HasMaxLength(36);
                line.Property(l => l.Name).HasColumnName("name").HasMaxLength(200);
                line.Property(l => l.Quantity).HasColumnName("quantity");
                line.Property(l => l.UnitPriceCents).HasColumnName("unit_price_cents");
            });
            payment.Navigation(p => p.Lines).AutoInclude();
        });

        modelBuilder.Entity<TestProcessorCharge>(charge =>
        {
            charge.ToTable("test_processor_charges");
            charge.HasKey(c => c.Reference);
            charge.Property(c => c.Reference).HasColumnName("reference").HasMaxLength(100);
            charge.Property(c => c.PaymentId).HasColumnName("payment_id");
            charge.HasIndex(c => c.PaymentId).IsUnique();
            charge.Property(c => c.AmountCents).HasColumnName("amount_cents");
            charge.Property(c => c.Currency).HasColumnName("currency").HasMaxLength(3);
            charge.Property(c => c.ChargedAt).HasColumnName("charged_at");
            charge.Property(c => c.RefundedAt).HasColumnName("refunded_at");
        });
        modelBuilder.AddOutboxAndInbox();
    }
}
