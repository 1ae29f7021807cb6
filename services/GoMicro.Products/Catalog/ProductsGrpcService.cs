using GoMicro.Events.V1;
using GoMicro.Messaging.Outbox;
using GoMicro.Products.Infrastructure;
using GoMicro.Products.Inventory;
using GoMicro.Products.V1;
using GoMicro.ServiceDefaults.Auth;
using GoMicro.ServiceDefaults.Paging;
using GoMicro.ServiceDefaults.Validation;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Product = GoMicro.Products.Model.Product;
using ProductMessage = GoMicro.Products.V1.Product;

namespace GoMicro.Products.Catalog;

/// <summary>
/// The products API. The reads take the database context only on a cache miss (see
/// <see cref="CatalogReads"/>), so it and the reservations are resolved when a method needs them
/// rather than built for every call.
/// </summary>
public sealed class ProductsGrpcService(CatalogReads reads, IServiceProvider services, TimeProvider clock) : ProductsService.ProductsServiceBase
{
    private ProductsDbContext? _db;

    private ProductsDbContext Db => _db ??= services.GetRequiredService<ProductsDbContext>();

    private StockReservations Reservations => services.GetRequiredService<StockReservations>();

    [AllowAnonymous]
    public override Task<ListProductsResponse> ListProducts(ListProductsRequest request, ServerCallContext context) =>
        reads.ListAsync(Paging.PageSize(request.PageSize), request.PageToken, ProductRules.Query(request.Query), ProductRules.CategoryFilter(request.Category),
            request.Sort, context.CancellationToken);

    [AllowAnonymous]
    public override Task<ProductMessage> GetProduct(GetProductRequest request, ServerCallContext context) =>
        reads.GetAsync(ProductRules.Id(request.Id), context.CancellationToken);

    /// <summary>
    /// Always from PostgreSQL, never the cache: payments charges the prices it returns (and
    /// basket adds what it says exists), so a price changed a moment ago must not be charged.
    /// </summary>
    [AllowAnonymous]
    public override async Task<GetProductsResponse> GetProducts(GetProductsRequest request, ServerCallContext context)
    {
        if (request.Ids.Count > ProductRules.MaxBatch)
        {
            throw RpcErrors.InvalidArgument("ids", $"at most {ProductRules.MaxBatch} ids per call");
        }
        var ids = request.Ids.Select(id => ProductRules.Id(id, "ids")).Distinct().ToList();
        var products = await Db.Products.AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(context.CancellationToken);
        var response = new GetProductsResponse();
        response.Products.AddRange(products.Select(p => p.ToMessage()));
        return response;
    }

    [Authorize(Policy = Roles.Admin)]
    public override async Task<ProductMessage> CreateProduct(CreateProductRequest request, ServerCallContext context)
    {
        var price = MoneyRules.Positive(request.Price, "price");
        var now = clock.GetUtcNowForPostgres();
        var product = new Product
        {
            Id = Guid.CreateVersion7(),
            Name = ProductRules.Name(request.Name),
            Description = ProductRules.Description(request.Description),
            Category = ProductRules.Category(request.Category),
            PriceCents = price.AmountCents,
            Currency = price.Currency,
            Stock = ProductRules.Stock(request.Stock),
            CreatedAt = now,
            UpdatedAt = now,
        };
        Db.Products.Add(product);
        Db.AddEvent(product.ToCreated());
        Db.AddEvent(product.ToStockChanged());
        await Db.SaveChangesAsync(context.CancellationToken);
        return product.ToMessage();
    }

    [Authorize(Policy = Roles.Admin)]
    public override async Task<ProductMessage> UpdateProduct(UpdateProductRequest request, ServerCallContext context)
    {
        var id = ProductRules.Id(request.Id);
        var name = ProductRules.Name(request.Name);
        var description = ProductRules.Description(request.Description);
        var category = ProductRules.Category(request.Category);
        var price = MoneyRules.Positive(request.Price, "price");
        var stock = ProductRules.Stock(request.Stock);
        if (request.Version == 0)
        {
            throw RpcErrors.InvalidArgument("version", "is required: send the version of the product you read");
        }

        var product = await FindAsync(id, tracked: true, context);
        // The version the client read, not the one just loaded, decides whether its write is stale.
        Db.Entry(product).Property(p => p.Version).OriginalValue = request.Version;
        var stockChanged = product.Stock != stock;
        (product.Name, product.Description, product.Category) = (name, description, category);
        (product.PriceCents, product.Currency, product.Stock) = (price.AmountCents, price.Currency, stock);
        product.Changed(clock.GetUtcNowForPostgres());
        Db.AddEvent(product.ToUpdated());
        if (stockChanged)
        {
            Db.AddEvent(product.ToStockChanged());
        }
        try
        {
            await Db.SaveChangesAsync(context.CancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw RpcErrors.Aborted("version: the product was changed by someone else since you read it; read it again and retry");
        }
        return product.ToMessage();
    }

    [Authorize(Policy = Roles.Admin)]
    public override async Task<Empty> DeleteProduct(DeleteProductRequest request, ServerCallContext context)
    {
        var product = await FindAsync(ProductRules.Id(request.Id), tracked: true, context);
        product.Changed(clock.GetUtcNowForPostgres());
        product.DeletedAt = product.UpdatedAt;
        Db.AddEvent(product.ToDeleted());
        try
        {
            await Db.SaveChangesAsync(context.CancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw RpcErrors.Aborted("the product changed while it was being deleted; retry");
        }
        return new Empty();
    }

    /// <summary>Called by payments (its service key) on behalf of the buyer (their token), before charging.</summary>
    [Authorize(Policy = ServiceKeys.PaymentsPolicy)]
    public override async Task<ReserveStockResponse> ReserveStock(ReserveStockRequest request, ServerCallContext context)
    {
        var paymentId = ProductRules.Id(request.PaymentId, "payment_id");
        if (request.Lines.Count is 0 or > ProductRules.MaxReservationLines)
        {
            throw RpcErrors.InvalidArgument("lines", $"1 to {ProductRules.MaxReservationLines} lines");
        }
        var wanted = new Dictionary<Guid, int>();
        foreach (var line in request.Lines)
        {
            var id = ProductRules.Id(line.ProductId, "lines.product_id");
            if (line.Quantity is <= 0 or > ProductRules.MaxStock)
            {
                throw RpcErrors.InvalidArgument("lines.quantity", $"must be 1 to {ProductRules.MaxStock}");
            }
            wanted[id] = checked(wanted.GetValueOrDefault(id) + line.Quantity);
        }
        var ttl = request.Ttl is null || request.Ttl.ToTimeSpan() == TimeSpan.Zero ? StockReservations.DefaultTtl : request.Ttl.ToTimeSpan();
        if (ttl < TimeSpan.FromSeconds(1) || ttl > StockReservations.MaxTtl)
        {
            throw RpcErrors.InvalidArgument("ttl", $"must be 1 s to {StockReservations.MaxTtl}");
        }
        var expiresAt = await Reservations.ReserveAsync(paymentId, wanted, ttl, context.GetUserId(), context.CancellationToken);
        return new ReserveStockResponse { ExpiresAt = Timestamp.FromDateTimeOffset(expiresAt) };
    }

    [Authorize(Policy = ServiceKeys.PaymentsPolicy)]
    public override async Task<Empty> ReleaseStock(ReleaseStockRequest request, ServerCallContext context)
    {
        var paymentId = ProductRules.Id(request.PaymentId, "payment_id");
        await using var transaction = await Db.Database.BeginTransactionAsync(context.CancellationToken);
        await Reservations.ReleaseForAsync(paymentId, context.GetUserId(), "released by payments", context.CancellationToken);
        await transaction.CommitAsync(context.CancellationToken);
        return new Empty();
    }

    private async Task<Product> FindAsync(Guid id, bool tracked, ServerCallContext context)
    {
        var query = tracked ? Db.Products : Db.Products.AsNoTracking();
        return await query.FirstOrDefaultAsync(p => p.Id == id, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"product {id} does not exist");
    }
}
