using Microsoft.EntityFrameworkCore.Design;

namespace GoMicro.Products.Infrastructure;

/// <summary>Lets `dotnet ef migrations add` build the model without starting the service.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ProductsDbContext>
{
    public ProductsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ProductsDbContext>().UseServicePostgres("Host=localhost;Database=products").Options);
}
