using GoMicro.Messaging;

namespace GoMicro.Products.Infrastructure;

public sealed class ProductsDbContext(DbContextOptions<ProductsDbContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    public DbSet<StockReservation> StockReservations => Set<StockReservation>();

    private List<Action>? _afterCommit;

    /// <summary>
    /// Runs <paramref name="action"/> once what this context is writing has committed (the
    /// current transaction's commit, or the next SaveChanges when there is none); dropped if it
    /// rolls back. <see cref="CommitHooks"/> calls them.
    /// </summary>
    public void AfterCommit(Action action) => (_afterCommit ??= []).Add(action);

    internal void RunAfterCommit()
    {
        var actions = _afterCommit;
        _afterCommit = null;
        actions?.ForEach(action => action());
    }

    internal void DiscardAfterCommit() => _afterCommit = null;

    // Contexts are pooled: actions of a transaction that never committed go with the request
    // that made them, not to the next request that leases this instance.
    public override void Dispose()
    {
        _afterCommit = null;
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        _afterCommit = null;
        return base.DisposeAsync();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Trigram indexes for the catalog search. pg_trgm ships with PostgreSQL's contrib and is
        // a trusted extension: the database's owner may create it, no superuser needed.
        modelBuilder.HasPostgresExtension("pg_trgm");
        modelBuilder.Entity<Product>(product =>
        {
            product.ToTable("products", t => t.HasCheckConstraint("ck_products_stock_not_negative", "stock >= 0"));
            product.HasKey(p => p.Id).HasName("PK_products");
            product.Property(p => p.Name).HasMaxLength(200);
            product.Property(p => p.Description).HasMaxLength(2000);
            product.Property(p => p.Category).HasMaxLength(100);
            product.Property(p => p.Currency).HasMaxLength(3).IsFixedLength();
            product.Property(p => p.Revision).HasDefaultValue(1L);
            product.Property(p => p.Version).IsRowVersion();
            product.Ignore(p => p.Available);
            product.HasQueryFilter(p => p.DeletedAt == null);
            product.HasIndex(p => new { p.Name, p.Id }).HasDatabaseName("IX_products_name_id");
            product.HasIndex(p => new { p.PriceCents, p.Id }).HasDatabaseName("IX_products_price_cents_id");
            product.HasIndex(p => p.Category).HasDatabaseName("IX_products_category");
            // The anonymous search is ILIKE '%text%' on name or description: a B-tree cannot serve a
            // leading wildcard, a GIN trigram index can (one per column, combined by a bitmap OR).
            product.HasIndex(p => p.Name).HasDatabaseName("ix_products_name_trgm").HasMethod("gin").HasOperators("gin_trgm_ops");
            product.HasIndex(p => p.Description).HasDatabaseName("ix_products_description_trgm").HasMethod("gin").HasOperators("gin_trgm_ops");
        });
        modelBuilder.Entity<StockReservation>(reservation =>
        {
            reservation.ToTable("stock_reservations");
            reservation.HasKey(r => r.PaymentId).HasName("PK_stock_reservations");
            reservation.Property(r => r.State).HasConversion<string>().HasMaxLength(20);
            reservation.Property(r => r.Reason).HasMaxLength(200);
            reservation.Property(r => r.TraceParent).HasMaxLength(55);
            // The expiry sweeper's query: holds past their time.
            reservation.HasIndex(r => r.ExpiresAt).HasFilter("state = 'Held'").HasDatabaseName("ix_stock_reservations_held_expiry");
            // The sweeper's query: reservations whose stock events a crash kept from the outbox.
            reservation.HasIndex(r => r.CreatedAt).HasFilter("stock_events_pending").HasDatabaseName("ix_stock_reservations_events_pending");
            reservation.OwnsMany(r => r.Lines, line =>
            {
                line.ToTable("stock_reservation_lines");
                line.WithOwner().HasForeignKey("payment_id").HasConstraintName("FK_stock_reservation_lines_stock_reservations_payment_id");
                line.HasIndex("payment_id").HasDatabaseName("IX_stock_reservation_lines_payment_id");
                line.Property<int>("id");
                line.HasKey("id").HasName("PK_stock_reservation_lines");
            });
            reservation.Navigation(r => r.Lines).AutoInclude();
        });
        modelBuilder.AddOutboxAndInbox();
    }
}
