using GoMicro.Basket.Catalog;
using GoMicro.Basket.V1;
using GoMicro.Common.V1;
using GoMicro.ServiceDefaults.Auth;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using BasketMessage = GoMicro.Basket.V1.Basket;

namespace GoMicro.Basket.Baskets;

/// <summary>The caller's basket; the user is always the token's subject, never a parameter.</summary>
[Authorize]
public sealed class BasketGrpcService(BasketStore store, ProductCatalog catalog) : BasketService.BasketServiceBase
{
    public override Task<BasketMessage> GetBasket(GetBasketRequest request, ServerCallContext context) =>
        ReadAsync(context.GetUserId(), context.CancellationToken);

    public override async Task<BasketMessage> SetItem(SetItemRequest request, ServerCallContext context)
    {
        var userId = context.GetUserId();
        var productId = ProductId(request.ProductId);
        if (request.Quantity is < 1 or > BasketOptions.MaxQuantity)
        {
            throw RpcErrors.InvalidArgument("quantity", $"must be between 1 and {BasketOptions.MaxQuantity}");
        }
        var product = await catalog.GetCurrentAsync(productId, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"product_id: product {productId} does not exist");
        if (product.Stock < request.Quantity)
        {
            throw RpcErrors.FailedPrecondition($"quantity: only {product.Stock} of '{product.Name}' available");
        }
        if (!await store.SetAsync(userId, productId, request.Quantity))
        {
            throw RpcErrors.FailedPrecondition($"product_id: a basket holds at most {BasketOptions.MaxLines} different products");
        }
        BasketMetrics.ItemsSet.Inc();
        return await ReadAsync(userId, context.CancellationToken);
    }

    public override async Task<BasketMessage> RemoveItem(RemoveItemRequest request, ServerCallContext context)
    {
        var userId = context.GetUserId();
        await store.RemoveAsync(userId, ProductId(request.ProductId));
        return await ReadAsync(userId, context.CancellationToken);
    }

    public override async Task<Empty> ClearBasket(ClearBasketRequest request, ServerCallContext context)
    {
        await store.ClearAsync(context.GetUserId());
        return new Empty();
    }

    private async Task<BasketMessage> ReadAsync(Guid userId, CancellationToken cancellationToken)
    {
        var (lines, updatedAt, version) = await store.GetAsync(userId);
        var products = await catalog.GetForDisplayAsync([.. lines.Select(l => l.ProductId)], cancellationToken);

        var basket = new BasketMessage { UserId = userId.ToString(), Version = version };
        if (updatedAt is { } at)
        {
            basket.UpdatedAt = Timestamp.FromDateTimeOffset(at);
        }
        foreach (var line in lines)
        {
            var known = products.TryGetValue(line.ProductId, out var product);
            basket.Lines.Add(new BasketLine
            {
                ProductId = line.ProductId,
                Quantity = line.Quantity,
                Name = known ? product!.Name : "",
                UnitPrice = known ? product!.Price : null,
                LineTotal = known ? new Money { AmountCents = product!.Price.AmountCents * line.Quantity, Currency = product.Price.Currency } : null,
                AvailableQuantity = known ? product!.Stock : 0,
                Available = known && product!.Stock >= line.Quantity,
            });
        }
        // A basket is priced in one currency, the first line's; the catalog is single-currency today.
        var currency = basket.Lines.FirstOrDefault(l => l.LineTotal is not null)?.LineTotal.Currency ?? "";
        basket.Total = new Money
        {
            Currency = currency,
            AmountCents = basket.Lines.Where(l => l.LineTotal?.Currency == currency).Sum(l => l.LineTotal.AmountCents),
        };
        return basket;
    }

    private static string ProductId(string value) =>
        Guid.TryParse(value, out var id) ? id.ToString() : throw RpcErrors.InvalidArgument("product_id", "must be a UUID");
}
