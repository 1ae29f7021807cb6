using GoMicro.Common.V1;
using GoMicro.Events.V1;
using GoMicro.Testing;

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
        var trace = ConsumedMessages.NewTraceParent();

        await products.Events.PublishAsync(payment, messageId, trace);
        await products.Events.PublishAsync(payment, messageId, trace);
        await ConsumedMessages.WaitForAsync(trace, deliveries: 2);
        await AllPublishedAsync();

        Assert.Equal(7, await products.StockAsync(product.Id));
        // Announced at creation, then once for the one decrement.
        Assert.Equal([10, 7], products.Events.Seen<StockChanged>().Where(x => x.Event.ProductId == product.Id).Select(x => x.Event.Stock));
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

        var messageIds = payments.Select(_ => Guid.NewGuid()).ToList();
        await Task.WhenAll(payments.Zip(messageIds).Select(p => products.Events.PublishAsync(p.First, p.Second)));

        // Each message's inbox row commits with its effect and its events: all fifty handled.
        var handled = $"SELECT count(*) FROM inbox_messages WHERE message_id IN ({string.Join(", ", messageIds.Select(id => $"'{id}'"))})";
        await Eventually.UntilAsync(async () => await products.Database.ScalarAsync<long>(handled) == payments.Count, seconds: 60, what: "every payment handled");
        await AllPublishedAsync();

        Assert.Equal(0, await products.StockAsync(product.Id));
        var ids = payments.Select(p => p.PaymentId).ToHashSet();
        Assert.Equal(40, products.Events.Seen<StockReservationFailed>().Count(x => ids.Contains(x.Event.PaymentId)));
        // Announced at creation, then once for each of the ten decrements, and never below 0.
        var announced = products.Events.Seen<StockChanged>().Where(x => x.Event.ProductId == product.Id).Select(x => x.Event.Stock);
        Assert.Equal(Enumerable.Range(0, 11), announced.Order());
    }

    /// <summary>Every event products has written to its outbox so far has been published and has reached the probe.</summary>
    private async Task AllPublishedAsync()
    {
        await Eventually.UntilAsync(async () => await products.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL") == 0, what: "the outbox drained");
        await products.Events.CatchUpAsync();
    }
}
