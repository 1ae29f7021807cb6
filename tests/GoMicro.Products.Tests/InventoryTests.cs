using GoMicro.Common.V1;
using GoMicro.Events.V1;

namespace GoMicro.Products.Tests;

public sealed class InventoryTests(ProductsFixture products) : IClassFixture<ProductsFixture>
{
    private static PaymentSucceeded Payment(params (string ProductId, int Quantity)[] lines) => new()
    {
        PaymentId = Guid.NewGuid().ToString(),
        UserId = Guid.NewGuid().ToString(),
        Lines = { lines.Select(l => new PaymentSucceeded.Types.Line { ProductId = l.ProductId, Quantity = l.Quantity, UnitPrice = new Money { AmountCents = 100, Currency = "EUR" } }) },
        Amount = new Money { AmountCents = 100, Currency = "EUR" },
    };

    [Fact]
    public async Task A_payment_decrements_every_line_and_announces_the_new_stock()
    {
        var a = await products.CreateAsync(stock: 5);
        var b = await products.CreateAsync(stock: 2);

        await products.Events.PublishAsync(Payment((a.Id, 2), (b.Id, 2)));

        await products.Events.WaitForAsync<StockChanged>(e => e.Any(x => x.Event.ProductId == a.Id && x.Event.Stock == 3) && e.Any(x => x.Event.ProductId == b.Id && x.Event.Stock == 0));
        Assert.Equal(3, await products.StockAsync(a.Id));
        Assert.Equal(0, await products.StockAsync(b.Id));
        // b ran out: availability changed, so basket hears about it.
        await products.Events.WaitForAsync<ProductUpdated>(e => e.Any(x => x.Event.ProductId == b.Id && !x.Event.Available));
    }

    [Fact]
    public async Task The_same_message_delivered_twice_decrements_once()
    {
        var product = await products.CreateAsync(stock: 10);
        var payment = Payment((product.Id, 3));
        var messageId = Guid.NewGuid();

        await products.Events.PublishAsync(payment, messageId);
        await products.Events.PublishAsync(payment, messageId);
        await products.Events.WaitForAsync<StockChanged>(e => e.Any(x => x.Event.ProductId == product.Id && x.Event.Stock == 7));
        var handledTwice = await WaitForInboxAsync(messageId);

        Assert.Equal(1, handledTwice);
        await Task.Delay(1000);
        Assert.Equal(7, await products.StockAsync(product.Id));
        Assert.Single(products.Events.Seen<StockChanged>(), x => x.Event.ProductId == product.Id && x.Event.Stock == 7);
    }

    [Fact]
    public async Task A_short_line_changes_nothing_and_asks_for_a_refund()
    {
        var plenty = await products.CreateAsync(stock: 10);
        var scarce = await products.CreateAsync(stock: 1);
        var payment = Payment((plenty.Id, 2), (scarce.Id, 2), (Guid.NewGuid().ToString(), 1));

        await products.Events.PublishAsync(payment);

        var failed = await products.Events.WaitForAsync<StockReservationFailed>(e => e.Any(x => x.Event.PaymentId == payment.PaymentId));
        var shortLines = failed.Single(x => x.Event.PaymentId == payment.PaymentId).Event.ShortLines;
        Assert.Equal(2, shortLines.Count);
        Assert.Contains(shortLines, l => l.ProductId == scarce.Id && l.Wanted == 2 && l.Available == 1);
        Assert.Equal(10, await products.StockAsync(plenty.Id));
        Assert.Equal(1, await products.StockAsync(scarce.Id));
    }

    [Fact]
    public async Task Fifty_concurrent_payments_for_stock_of_ten_never_oversell()
    {
        var product = await products.CreateAsync(stock: 10);
        var payments = Enumerable.Range(0, 50).Select(_ => Payment((product.Id, 1))).ToList();

        await Task.WhenAll(payments.Select(p => products.Events.PublishAsync(p)));

        var ids = payments.Select(p => p.PaymentId).ToHashSet();
        var failures = await products.Events.WaitForAsync<StockReservationFailed>(e => e.Count(x => ids.Contains(x.Event.PaymentId)) >= 40, TimeSpan.FromSeconds(60));
        await products.Events.WaitForAsync<StockChanged>(e => e.Any(x => x.Event.ProductId == product.Id && x.Event.Stock == 0));
        await Task.Delay(500);

        Assert.Equal(0, await products.StockAsync(product.Id));
        Assert.Equal(40, failures.Count(x => ids.Contains(x.Event.PaymentId)));
        var decrements = products.Events.Seen<StockChanged>().Where(x => x.Event.ProductId == product.Id && x.Event.Stock < 10).ToList();
        Assert.Equal(10, decrements.Count);
        Assert.All(decrements, d => Assert.InRange(d.Event.Stock, 0, 9));
    }

    private async Task<long> WaitForInboxAsync(Guid messageId)
    {
        for (var i = 0; i < 100; i++)
        {
            var count = await products.Database.ScalarAsync<long>($"SELECT count(*) FROM inbox_messages WHERE message_id = '{messageId}'");
            if (count > 0)
            {
                return count;
            }
            await Task.Delay(50);
        }
        return 0;
    }
}
