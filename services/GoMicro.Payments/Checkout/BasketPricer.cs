using GoMicro.Basket.V1;
using GoMicro.Products.V1;
using GoMicro.ServiceDefaults;
using GoMicro.ServiceDefaults.Validation;
using Grpc.Core;

namespace GoMicro.Payments.Checkout;

/// <summary>
/// The caller's basket, priced again from products: the basket's cached prices are for
/// display, the catalog's are what is charged. Refuses (412) an empty basket, a product that
/// is gone or short, a basket in more than one currency or in one no longer active, and one whose total passes
/// <see cref="CheckoutRules.MaxTotalCents"/> (computed checked: never a wrapped amount, never a 500).
/// </summary>
public sealed class BasketPricer(BasketService.BasketServiceClient basket, ProductsService.ProductsServiceClient products)
{
    public sealed record PricedBasket(IReadOnlyList<PaymentLine> Lines, long AmountCents, string Currency, long BasketVersion);

    public async Task<PricedBasket> PriceAsync(string authorization, CancellationToken cancellationToken)
    {
        var stored = await CallAsync(ServiceNames.Basket, () => basket.GetBasketAsync(new GetBasketRequest(),
            new Metadata { { "authorization", authorization } }, cancellationToken: cancellationToken).ResponseAsync);
        if (stored.Lines.Count == 0)
        {
            throw RpcErrors.FailedPrecondition("basket: the basket is empty");
        }
        // Basket keeps to these; checking them here keeps the arithmetic below safe whatever it sends.
        if (stored.Lines.Count > CheckoutRules.MaxLines)
        {
            throw RpcErrors.FailedPrecondition($"basket: at most {CheckoutRules.MaxLines} different products can be paid at once");
        }
        if (stored.Lines.FirstOrDefault(l => l.Quantity is < 1 or > CheckoutRules.MaxQuantity) is { } odd)
        {
            throw RpcErrors.FailedPrecondition($"basket: the quantity of product {odd.ProductId} must be 1 to {CheckoutRules.MaxQuantity}");
        }
        var catalog = (await CallAsync(ServiceNames.Products, () => products.GetProductsAsync(new GetProductsRequest { Ids = { stored.Lines.Select(l => l.ProductId) } },
            cancellationToken: cancellationToken).ResponseAsync)).Products.ToDictionary(p => p.Id);

        var lines = new List<PaymentLine>();
        var lineTotals = new List<long>();
        foreach (var line in stored.Lines)
        {
            if (!catalog.TryGetValue(line.ProductId, out var product))
            {
                throw RpcErrors.FailedPrecondition($"basket: product {line.ProductId} is no longer sold; remove it from the basket");
            }
            if (product.Stock < line.Quantity)
            {
                throw RpcErrors.FailedPrecondition($"basket: only {product.Stock} of '{product.Name}' ({product.Id}) available, the basket wants {line.Quantity}");
            }
            // Checked: a price stored before products had a maximum can make this overflow a long.
            lineTotals.Add(MoneyRules.LineTotal(product.Price.AmountCents, line.Quantity)
                ?? throw CheckoutRules.TotalTooLarge($"{line.Quantity} × '{product.Name}' ({product.Id})"));
            lines.Add(new PaymentLine { ProductId = product.Id, Name = product.Name, Quantity = line.Quantity, UnitPriceCents = product.Price.AmountCents });
        }
        var currencies = stored.Lines.Select(l => catalog[l.ProductId].Price.Currency).Distinct().ToList();
        if (currencies.Count > 1)
        {
            throw RpcErrors.FailedPrecondition($"basket: products in several currencies ({string.Join(", ", currencies)}) cannot be paid together");
        }
        // A price stored before its currency was withdrawn (ZWL, ANG, BGN): refused, never sent to the provider.
        if (!MoneyRules.Currencies.Contains(currencies[0]))
        {
            throw RpcErrors.FailedPrecondition($"basket: the products are priced in '{currencies[0]}', which is not an active ISO 4217 currency; they can be paid once their price is changed");
        }
        var amount = MoneyRules.Total(lineTotals) ?? throw CheckoutRules.TotalTooLarge("the basket");
        return new PricedBasket(lines, amount, currencies[0], stored.Version);
    }

    /// <summary>Another service's refusal is not ours to pass on verbatim, except a bad token.</summary>
    private static async Task<T> CallAsync<T>(string service, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            throw RpcErrors.Unauthenticated($"{service} refused the caller's token");
        }
        catch (RpcException)
        {
            throw RpcErrors.Unavailable($"The {service} service is unavailable; try again shortly.");
        }
    }
}
