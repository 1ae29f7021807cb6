using Grpc.Core;
using GoMicro.Products.V1;

namespace GoMicro.Ceiling;

/// <summary>GetProduct and ListProducts with canned answers; every other method is the generated UNIMPLEMENTED.</summary>
internal sealed class CeilingProductsService : ProductsService.ProductsServiceBase
{
    private static readonly ListProductsResponse Page = new()
    {
        Products = { CannedCatalog.Products },
        NextPageToken = "eyJhZnRlciI6IjAxOTNhYmNkLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAxNCJ9",
    };

    public override Task<Product> GetProduct(GetProductRequest request, ServerCallContext context) =>
        Task.FromResult(CannedCatalog.ById(request.Id));

    public override Task<ListProductsResponse> ListProducts(ListProductsRequest request, ServerCallContext context) =>
        Task.FromResult(Page);
}
