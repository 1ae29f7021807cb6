using GoMicro.Basket.V1;
using GoMicro.Common.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace GoMicro.Ceiling;

/// <summary>GetBasket answers a basket of three lines, as the load generator's basket scenario fills it.</summary>
internal sealed class CeilingBasketService : BasketService.BasketServiceBase
{
    private static readonly BasketMessage Canned = Build();

    public override Task<BasketMessage> GetBasket(GetBasketRequest request, ServerCallContext context) => Task.FromResult(Canned);

    private static BasketMessage Build()
    {
        var basket = new BasketMessage
        {
            UserId = "0193abcd-0000-7000-8000-0000000000aa",
            UpdatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 6, 9, 30, 0, TimeSpan.Zero)),
            Version = 3,
        };
        long total = 0;
        foreach (var product in CannedCatalog.Products.Take(3))
        {
            basket.Lines.Add(new BasketLine
            {
                ProductId = product.Id,
                Name = product.Name,
                UnitPrice = product.Price,
                Quantity = 1,
                LineTotal = new Money { AmountCents = product.Price.AmountCents, Currency = product.Price.Currency },
                Available = true,
                AvailableQuantity = product.Stock,
            });
            total += product.Price.AmountCents;
        }
        basket.Total = new Money { AmountCents = total, Currency = "EUR" };
        return basket;
    }
}
