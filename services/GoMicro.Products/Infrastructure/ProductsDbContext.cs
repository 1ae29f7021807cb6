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

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Trigram indexes for the catalog search. pg_trgm ships with PostgreSQL's contrib and is
        // a trusted extension: the database's owner may create it, no superuser needed.
        modelBuilder.HasPostgresExtension("pg_trgm");
        modelBuilder.Entity<Product>(product =>
        {
            product.ToTable("products", t => t.HasCheckConstraint("ck_products_stock_not_negative", "stock >= 0"));
            product.HasKey(p => p.Id);
            product.Property(p => p.Id).HasColumnName("id");
            product.Property(p => p.Name).HasColumnName("name").HasMaxLength(200);
            product.Property(p => p.Description).HasColumnName("description").HasMaxLength(2000);
            product.Property(p => p.Category).HasColumnName("category").HasMaxLength(100);
            product.Property(p => p.PriceCents).HasColumnName("price_cents");
            product.Property(p => p.Currency).HasColumnName("currency").HasMaxLength(3).IsFixedLength();
            product.Property(p => p.Stock).HasColumnName("stock");
            product.Property(p => p.CreatedAt).HasColumnName("created_at");
            product.Property(p => p.UpdatedAt).HasColumnName("updated_at");
            product.Property(p => p.DeletedAt).HasColumnName("deleted_at");
            product.Property(p => p.Revision).HasColumnName("revision").HasDefaultValue(1L);
            product.Property(p => p.Version).IsRowVersion();
            product.Ignore(p => p.Available);
            product.HasQueryFilter(p => p.DeletedAt == null);
            product.HasIndex(p => new { p.Name, p.Id });
            product.HasIndex(p => new { p.PriceCents, p.Id });
            product.HasIndex(p => p.Category);
            // The anonymous search is ILIKE '%text%' on name or description: a B-tree cannot serve a
            // leading wildcard, a GIN trigram index can (one per column, combined by a bitmap OR).
            product.HasIndex(p => p.Name).HasDatabaseName("ix_products_name_trgm").HasMethod("gin").HasOperators("gin_trgm_ops");
            product.HasIndex(p => p.Description).HasDatabaseName("ix_products_description_trgm").HasMethod("gin").HasOperators("gin_trgm_ops");
        });
        modelBuilder.Entity<StockReservation>(reservation =>
        {
            reservation.ToTable("stock_reservations");
            reservation.HasKey(r => r.PaymentId);
            reservation.Property(r => r.PaymentId).HasColumnName("payment_id");
            reservation.Property(r => r.HeldBy).HasColumnName("held_by");
            reservation.Property(r => r.State).HasColumnName("state").HasConversion<string>().HasMaxLength(20);
            reservation.Property(r => r.ExpiresAt).HasColumnName("expires_at");
            reservation.Property(r => r.CreatedAt).HasColumnName("created_at");
            reservation.Property(r => r.UpdatedAt).HasColumnName("updated_at");
            reservation.Property(r => r.Reason).HasColumnName("reason").HasMaxLength(200);
            // The expiry sweeper's query: holds past their time.
            reservation.HasIndex(r => r.ExpiresAt).HasFilter("state = 'Held'").HasDatabaseName("ix_stock_reservations_held_expiry");
            reservation.OwnsMany(r => r.Lines, line =>
            {
                line.ToTable("stock_reservation_lines");
                line.WithOwner().HasForeignKey("payment_id");
                line.Property<int>("id").HasColumnName("id");
                line.HasKey("id");
                line.Property(l => l.ProductId).HasColumnName("product_id");
                line.Property(l => l.Quantity).HasColumnName("quantity");
            });
            reservation.Navigation(r => r.Lines).AutoInclude();
        });
        modelBuilder.AddOutboxAndInbox();
    }
}
