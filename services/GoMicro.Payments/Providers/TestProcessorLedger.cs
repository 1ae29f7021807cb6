namespace GoMicro.Payments.Providers;

/// <summary>A charge the test processor made; its ledger, to prove one charge per payment and a charge behind every refund.</summary>
public sealed class TestProcessorCharge
{
    public required string Reference { get; set; }

    public Guid PaymentId { get; set; }

    public long AmountCents { get; set; }

    public required string Currency { get; set; }

    public DateTimeOffset ChargedAt { get; set; }

    public DateTimeOffset? RefundedAt { get; set; }
}

/// <summary>
/// The test processor's books, apart from payments' own: the schema <c>test_processor</c> in the
/// service's database, with its own migrations and history table. <see cref="Infrastructure.PaymentsDbContext"/>
/// knows nothing of it, as it would know nothing of a real provider's. Its first migration
/// adopts, rows and all, the <c>public.test_processor_charges</c> table that payments' migrations
/// made before the ledger had a context of its own.
/// </summary>
public sealed class TestProcessorLedger(DbContextOptions<TestProcessorLedger> options) : DbContext(options)
{
    public const string Schema = "test_processor";

    public DbSet<TestProcessorCharge> Charges => Set<TestProcessorCharge>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<TestProcessorCharge>(charge =>
        {
            charge.ToTable("charges");
            charge.HasKey(c => c.Reference).HasName("PK_charges");
            charge.Property(c => c.Reference).HasMaxLength(100);
            charge.HasIndex(c => c.PaymentId).IsUnique().HasDatabaseName("IX_charges_payment_id");
            charge.Property(c => c.Currency).HasMaxLength(3);
        });
    }
}

public static class TestProcessorSetup
{
    /// <summary>The test processor and its ledger, in the service's database beside payments' tables.</summary>
    public static IHostApplicationBuilder AddTestPaymentProcessor(this IHostApplicationBuilder builder)
    {
        builder.AddPostgresDbContextBeside<TestProcessorLedger>(TestProcessorLedger.Schema);
        builder.Services.AddSingleton(builder.Configuration.GetSection("Payments:TestProcessor").Get<TestProcessorOptions>() ?? new TestProcessorOptions());
        builder.Services.AddSingleton<TestPaymentProcessor>();
        return builder;
    }
}
