using GoMicro.Basket.ProductInfo;
using GoMicro.Basket.V1;
using GoMicro.Common.V1;
using GoMicro.Products.V1;
using GoMicro.ServiceDefaults.Auth;
using GoMicro.ServiceDefaults.Validation;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using BasketMessage = GoMicro.Basket.V1.Basket;

namespace GoMicro.Basket.Items;

/// <summary>The caller's basket; the user is always the token's subject, never a parameter.</summary>
[Authorize]
public sealed class BasketGrpcService(BasketStore store, ProductInfoCache productInfo) : BasketService.BasketServiceBase
{
    public override Task<BasketMessage> GetBasket(GetBasketRequest request, ServerCallContext context) =>
        ReadAsync(context.GetUserId(), context.CancellationToken);

    public override async Task<BasketMessage> SetItem(SetItemRequest request, ServerCallContext context)
    {
        var userId = context.GetUserId();
        var productId = BasketRules.ProductId(request.ProductId);
        var quantity = BasketRules.Quantity(request.Quantity);
        var product = await productInfo.GetCurrentAsync(productId, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"product_id: product {productId} does not exist");
        if (product.Stock < quantity)
        {
            throw RpcErrors.FailedPrecondition($"quantity: only {product.Stock} of '{product.Name}' available");
        }
        await EnsureWithinMaxTotalAsync(userId, product, quantity, context.CancellationToken);
        if (!await store.SetAsync(userId, productId, quantity))
        {
            throw RpcErrors.FailedPrecondition($"product_id: a basket holds at most {BasketRules.MaxLines} different products");
        }
        BasketMetrics.ItemsSet.Inc();
        return await ReadAsync(userId, context.CancellationToken);
    }

    public override async Task<BasketMessage> RemoveItem(RemoveItemRequest request, ServerCallContext context)
    {
        var userId = context.GetUserId();
        await store.RemoveAsync(userId, BasketRules.ProductId(request.ProductId));
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
        var products = await productInfo.GetForDisplayAsync([.. lines.Select(l => l.ProductId)], cancellationToken);

        var basket = new BasketMessage { UserId = userId.ToString(), Version = version };
        if (updatedAt is { } at)
        {
            basket.UpdatedAt = Timestamp.FromDateTimeOffset(at);
        }
        foreach (var line in lines)
        {
            var known = products.TryGetValue(line.ProductId, out var product);
            // Null past the maximum: a price stored before products had one can make price × quantity
            // overflow. Such a line is shown, not totalled, and cannot be bought (checkout refuses it too).
            var lineTotal = known ? MoneyRules.LineTotal(product!.Price.AmountCents, line.Quantity) : null;
            basket.Lines.Add(new BasketLine
            {
                ProductId = line.ProductId,
                Quantity = line.Quantity,
                Name = known ? product!.Name : "",
                UnitPrice = known ? product!.Price : null,
                LineTotal = lineTotal is { } amount ? new Money { AmountCents = amount, Currency = product!.Price.Currency } : null,
                AvailableQuantity = known ? product!.Stock : 0,
                Available = lineTotal is not null && product!.Stock >= line.Quantity,
            });
        }
        // A basket is priced in one currency, the first line's; the catalog is single-currency today.
        // At most MaxLines lines of at most MaxTotalCents each: the sum is exact in a long (and checked).
        var currency = basket.Lines.FirstOrDefault(l => l.LineTotal is not null)?.LineTotal.Currency ?? "";
        basket.Total = new Money
        {
            Currency = currency,
            AmountCents = basket.Lines.Where(l => l.LineTotal?.Currency == currency).Sum(l => l.LineTotal.AmountCents),
        };
        return basket;
    }

    /// <summary>
    /// Refuses a change that would take the basket's total (as GetBasket shows it) past the
    /// maximum, or a line whose own total would. This is the customer's early answer, at the
    /// prices the basket shows; checkout enforces the limit for good with the prices it charges.
    /// </summary>
    private async Task EnsureWithinMaxTotalAsync(Guid userId, Product product, int quantity, CancellationToken cancellationToken)
    {
        var changed = MoneyRules.LineTotal(product.Price.AmountCents, quantity) ?? throw BasketRules.TotalTooLarge();
        var (lines, _, _) = await store.GetAsync(userId);
        var others = lines.Where(l => l.ProductId != product.Id).ToList();
        if (others.Count == 0)
        {
            return;
        }
        var prices = await productInfo.GetForDisplayAsync([.. others.Select(l => l.ProductId)], cancellationToken);
        var lineTotals = others
            .Where(l => prices.TryGetValue(l.ProductId, out var p) && p.Price.Currency == product.Price.Currency)
            .Select(l => MoneyRules.LineTotal(prices[l.ProductId].Price.AmountCents, l.Quantity))
            .OfType<long>() // lines past the maximum on their own are not in the total (see ReadAsync)
            .Append(changed);
        if (MoneyRules.Total(lineTotals) is null)
        {
            throw BasketRules.TotalTooLarge();
        }
    }
}
