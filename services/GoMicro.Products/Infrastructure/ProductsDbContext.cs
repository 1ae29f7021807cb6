using GoMicro.Messaging;

namespace GoMicro.Products.Infrastructure;

public sealed class ProductsDbContext(DbContextOptions<ProductsDbContext> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
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
            product.Property(p => p.Version).IsRowVersion();
            product.Ignore(p => p.Available);
            product.HasQueryFilter(p => p.DeletedAt == null);
            product.HasIndex(p => new { p.Name, p.Id });
            product.HasIndex(p => new { p.PriceCents, p.Id });
            product.HasIndex(p => p.Category);
        });
        modelBuilder.AddOutboxAndInbox();
    }
}
