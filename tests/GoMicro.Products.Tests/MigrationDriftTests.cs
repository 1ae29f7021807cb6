using GoMicro.Testing;
using GoMicro.Products.Infrastructure;

namespace GoMicro.Products.Tests;

/// <summary>The model (snake_case by convention, a few explicit names) is exactly the schema the migrations made.</summary>
public sealed class MigrationDriftTests
{
    [Fact]
    public void The_products_model_needs_no_new_migration()
    {
        using var db = SchemaDrift.Context<ProductsDbContext>(o => new ProductsDbContext(o));
        var pending = SchemaDrift.PendingOperations(db);
        Assert.True(pending.Count == 0, "a new migration would hold:" + Environment.NewLine + SchemaDrift.Describe(pending));
    }
}
