using GoMicro.Common.V1;
using GoMicro.Events.V1;
using GoMicro.Products.V1;
using GoMicro.ServiceDefaults.Auth;
using GoMicro.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace GoMicro.Products.Tests;

/// <summary>Stock held before a charge: every line or none, idempotent, committed, released or expired exactly once.</summary>
public sealed class ReservationTests(ProductsFixture products) : IClassFixture<ProductsFixture>
{
    private static ReserveStockRequest Reserve(Guid paymentId, TimeSpan? ttl, params (string ProductId, int Quantity)[] lines) => new()
    {
        PaymentId = paymentId.ToString(),
        Lines = { lines.Select(l => new StockLine { ProductId = l.ProductId, Quantity = l.Quantity }) },
        Ttl = ttl is { } t ? Duration.FromTimeSpan(t) : null,
    };

    private async Task<bool> HandledAsync(Guid messageId) =>
        await products.Database.ScalarAsync<long>($"SELECT count(*) FROM inbox_messages WHERE message_id = '{messageId}'") == 1;

    private Task<string?> StateAsync(Guid paymentId) =>
        products.Database.ScalarAsync<string>($"SELECT state FROM stock_reservations WHERE payment_id = '{paymentId}'");

    [Fact]
    public async Task A_reservation_takes_every_line_at_once_and_a_repeat_takes_nothing_more()
    {
        var a = await products.CreateAsync(stock: 5);
        var b = await products.CreateAsync(stock: 2);
        var payment = Guid.NewGuid();
        var buyer = products.Buyer; // payments retries with the same buyer's token

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            products.Grpc.ReserveStockAsync(Reserve(payment, null, (a.Id, 2), (b.Id, 2)), buyer).ResponseAsync));

        Assert.Equal(3, await products.StockAsync(a.Id));
        Assert.Equal(0, await products.StockAsync(b.Id));
        Assert.Equal("Held", await StateAsync(payment));
    }

    [Fact]
    public async Task A_short_line_is_refused_by_name_and_nothing_is_taken()
    {
        var plenty = await products.CreateAsync(stock: 10);
        var scarce = await products.CreateAsync(stock: 1);
        var payment = Guid.NewGuid();

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            products.Grpc.ReserveStockAsync(Reserve(payment, null, (plenty.Id, 2), (scarce.Id, 2)), products.Buyer).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains(scarce.Id, refused.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(plenty.Id, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(10, await products.StockAsync(plenty.Id));
        Assert.Equal(1, await products.StockAsync(scarce.Id));
        Assert.Null(await StateAsync(payment));
    }

    [Fact]
    public async Task Bad_reservations_are_400_and_anonymous_ones_401()
    {
        var product = await products.CreateAsync(stock: 3);
        var bad = new[]
        {
            Reserve(Guid.NewGuid(), null),
            Reserve(Guid.NewGuid(), null, (product.Id, 0)),
            Reserve(Guid.NewGuid(), null, ("not-a-uuid", 1)),
            Reserve(Guid.NewGuid(), TimeSpan.FromDays(2), (product.Id, 1)),
            new ReserveStockRequest { PaymentId = "x", Lines = { new StockLine { ProductId = product.Id, Quantity = 1 } } },
        };
        foreach (var request in bad)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => products.Grpc.ReserveStockAsync(request, products.Buyer).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        }
        var anonymous = await Assert.ThrowsAsync<RpcException>(() => products.Grpc.ReserveStockAsync(Reserve(Guid.NewGuid(), null, (product.Id, 1))).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Equal(3, await products.StockAsync(product.Id));
    }

    [Fact]
    public async Task A_failed_payment_returns_its_stock_once()
    {
        var product = await products.CreateAsync(stock: 4);
        var payment = Guid.NewGuid();
        await products.Grpc.ReserveStockAsync(Reserve(payment, null, (product.Id, 3)), products.Buyer);
        var failed = new PaymentFailed { PaymentId = payment.ToString(), Reason = "card_declined" };
        var messageId = Guid.NewGuid();

        var another = Guid.NewGuid();
        await products.Events.PublishAsync(failed, messageId);
        await products.Events.PublishAsync(failed, messageId);
        await products.Events.PublishAsync(failed, another); // another copy under a new id: the reservation is already released
        await Eventually.UntilAsync(async () => await StateAsync(payment) == "Released", what: "released");
        await Eventually.UntilAsync(async () => await HandledAsync(messageId) && await HandledAsync(another), what: "both messages handled");

        Assert.Equal(4, await products.StockAsync(product.Id));
    }

    [Fact]
    public async Task An_expired_hold_returns_its_stock_and_a_late_success_takes_it_again_if_it_is_there()
    {
        var product = await products.CreateAsync(stock: 3);
        var payment = Guid.NewGuid();
        await products.Grpc.ReserveStockAsync(Reserve(payment, TimeSpan.FromSeconds(1), (product.Id, 2)), products.Buyer);
        Assert.Equal(1, await products.StockAsync(product.Id));

        await Eventually.UntilAsync(async () => await StateAsync(payment) == "Released", what: "expired");
        Assert.Equal(3, await products.StockAsync(product.Id));

        await products.Events.PublishAsync(Succeeded(payment, (product.Id, 2)));
        await Eventually.UntilAsync(async () => await StateAsync(payment) == "Committed", what: "taken again on success");
        Assert.Equal(1, await products.StockAsync(product.Id));
    }

    [Fact]
    public async Task A_late_success_whose_stock_is_gone_asks_for_a_refund_and_takes_nothing()
    {
        var product = await products.CreateAsync(stock: 2);
        var payment = Guid.NewGuid();
        await products.Grpc.ReserveStockAsync(Reserve(payment, TimeSpan.FromSeconds(1), (product.Id, 2)), products.Buyer);
        await Eventually.UntilAsync(async () => await StateAsync(payment) == "Released", what: "expired");
        var other = Guid.NewGuid();
        var otherBuyer = products.Buyer;
        await products.Grpc.ReserveStockAsync(Reserve(other, null, (product.Id, 2)), otherBuyer); // someone else holds it

        await products.Events.PublishAsync(Succeeded(payment, (product.Id, 2)));

        await products.Events.WaitForAsync<StockReservationFailed>(e => e.Any(x => x.Event.PaymentId == payment.ToString()));
        Assert.Equal(0, await products.StockAsync(product.Id));
        Assert.Equal("Unfilled", await StateAsync(payment));

        // The stock comes back; the same success replayed later (its inbox row purged) takes none of it: it is being refunded.
        await products.Grpc.ReleaseStockAsync(new ReleaseStockRequest { PaymentId = other.ToString() }, otherBuyer);
        var replay = Guid.NewGuid();
        await products.Events.PublishAsync(Succeeded(payment, (product.Id, 2)), replay);
        await Eventually.UntilAsync(async () => await HandledAsync(replay), what: "the replay handled");
        Assert.Equal(2, await products.StockAsync(product.Id));
        Assert.Equal("Unfilled", await StateAsync(payment));
    }

    [Fact]
    public async Task Success_commits_a_hold_without_taking_the_stock_twice()
    {
        var product = await products.CreateAsync(stock: 5);
        var payment = Guid.NewGuid();
        var buyer = products.Buyer;
        await products.Grpc.ReserveStockAsync(Reserve(payment, null, (product.Id, 2)), buyer);

        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        await products.Events.PublishAsync(Succeeded(payment, (product.Id, 2)), first);
        await products.Events.PublishAsync(Succeeded(payment, (product.Id, 2)), second);
        await Eventually.UntilAsync(async () => await StateAsync(payment) == "Committed", what: "committed");
        await products.Grpc.ReleaseStockAsync(new ReleaseStockRequest { PaymentId = payment.ToString() }, buyer); // too late: sold

        await Eventually.UntilAsync(async () => await HandledAsync(first) && await HandledAsync(second), what: "both copies handled");
        Assert.Equal(3, await products.StockAsync(product.Id));
        Assert.Equal("Committed", await StateAsync(payment));
    }

    [Fact]
    public async Task Committing_a_paid_reservation_observes_how_far_it_lagged_behind_the_payment()
    {
        var product = await products.CreateAsync(stock: 5);
        var payment = Guid.NewGuid();
        await products.Grpc.ReserveStockAsync(Reserve(payment, null, (product.Id, 1)), products.Buyer);
        var before = await StockCommitLagAsync();

        var succeeded = Succeeded(payment, (product.Id, 1));
        succeeded.OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(-2)); // paid two seconds ago
        await products.Events.PublishAsync(succeeded);
        await Eventually.UntilAsync(async () => await StateAsync(payment) == "Committed", what: "committed");

        // Other test classes in this process may commit payments too: ours adds one observation of at least 2 s.
        await Eventually.UntilAsync(async () => (await StockCommitLagAsync()).Count > before.Count, what: "an observation");
        var after = await StockCommitLagAsync();
        Assert.True(after.Sum - before.Sum >= 2, $"lag sum grew by {after.Sum - before.Sum} s, expected at least 2 s");
    }

    private async Task<(double Count, double Sum)> StockCommitLagAsync()
    {
        var metrics = await products.Http.GetStringAsync("/metrics");
        double Value(string name) => metrics.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        return (Value("gomicro_stock_commit_lag_seconds_count"), Value("gomicro_stock_commit_lag_seconds_sum"));
    }

    [Fact]
    public async Task Concurrent_reservations_of_overlapping_products_never_oversell_and_account_for_every_unit()
    {
        var catalog = new List<Product>();
        for (var i = 0; i < 4; i++)
        {
            catalog.Add(await products.CreateAsync(stock: 12));
        }
        var random = new Random(12);
        // 40 baskets of 2 or 3 of the 4 products, in random order, 1 to 3 of each: about twice
        // the stock, so some are refused, and every pair of baskets shares rows to lock.
        var baskets = Enumerable.Range(0, 40).Select(_ => (
            Payment: Guid.NewGuid(),
            Lines: catalog.OrderBy(_ => random.Next()).Take(random.Next(2, 4)).Select(p => (p.Id, Quantity: random.Next(1, 4))).ToArray())).ToList();

        var outcomes = await Task.WhenAll(baskets.Select(async b =>
        {
            try
            {
                await products.Grpc.ReserveStockAsync(Reserve(b.Payment, null, b.Lines), products.Buyer);
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }));

        Assert.All(outcomes, o => Assert.True(o is StatusCode.OK or StatusCode.FailedPrecondition, $"a reservation answered {o}"));
        Assert.Contains(StatusCode.OK, outcomes);
        Assert.Contains(StatusCode.FailedPrecondition, outcomes);
        var held = baskets.Where((_, i) => outcomes[i] == StatusCode.OK).ToList();
        foreach (var product in catalog)
        {
            var sold = held.SelectMany(b => b.Lines).Where(l => l.Id == product.Id).Sum(l => l.Quantity);
            Assert.Equal(12 - sold, await products.StockAsync(product.Id));
            // Announced in batches: the latest event (highest revision) is the stock as it is.
            await products.Events.WaitForAsync<StockChanged>(e =>
                e.Where(x => x.Event.ProductId == product.Id).MaxBy(x => x.Event.Revision).Event?.Stock == 12 - sold);
        }
        foreach (var (payment, _) in baskets.Where((_, i) => outcomes[i] != StatusCode.OK))
        {
            Assert.Null(await StateAsync(payment));
        }
        Assert.Equal(held.Sum(b => b.Lines.Length), await products.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM stock_reservation_lines WHERE payment_id IN ({string.Join(", ", held.Select(b => $"'{b.Payment}'"))})"));
    }

    [Fact]
    public async Task A_reservation_announces_its_new_stock_once_and_owes_nothing_after()
    {
        var product = await products.CreateAsync(stock: 5);
        var payment = Guid.NewGuid();

        await products.Grpc.ReserveStockAsync(Reserve(payment, null, (product.Id, 2)), products.Buyer);

        await products.Events.WaitForAsync<StockChanged>(e => e.Any(x => x.Event.ProductId == product.Id && x.Event.Stock == 3));
        Assert.False(await products.Database.ScalarAsync<bool>($"SELECT stock_events_pending FROM stock_reservations WHERE payment_id = '{payment}'"));
        await Task.Delay(1000); // several sweeps: none may write them again
        await products.Events.CatchUpAsync();
        Assert.Single(products.Events.Seen<StockChanged>(), x => x.Event.ProductId == product.Id && x.Event.Stock == 3);
    }

    [Fact]
    public async Task A_burst_of_reservations_of_one_product_is_announced_as_its_latest_stock_not_once_each()
    {
        var product = await products.CreateAsync(stock: 20);
        await products.Events.WaitForAsync<StockChanged>(e => e.Any(x => x.Event.ProductId == product.Id && x.Event.Stock == 20));

        for (var i = 0; i < 5; i++)
        {
            await products.Grpc.ReserveStockAsync(Reserve(Guid.NewGuid(), null, (product.Id, 1)), products.Buyer);
        }

        await products.Events.WaitForAsync<StockChanged>(e => e.Any(x => x.Event.ProductId == product.Id && x.Event.Stock == 15));
        await Task.Delay(1000); // several sweeps: nothing more may come
        await products.Events.CatchUpAsync();
        var announced = products.Events.Seen<StockChanged>().Where(x => x.Event.ProductId == product.Id && x.Event.Stock < 20).Select(x => x.Event.Stock).ToList();
        // One event within AnnounceDelay of the first reservation; two if the machine stalled mid-burst.
        Assert.InRange(announced.Count, 1, 2);
        Assert.Equal(15, announced.Min());
    }

    [Fact]
    public async Task Stock_events_a_crash_kept_from_the_outbox_are_written_by_the_sweeper()
    {
        var product = await products.CreateAsync(stock: 5);
        var ranOut = await products.CreateAsync(stock: 1);
        var payment = Guid.NewGuid();
        // What the reserving statement leaves when its request stops before the events are
        // written: the stock taken, the hold recorded, its events owed.
        await products.Database.ExecuteAsync($"""
            UPDATE products SET stock = stock - 2, revision = revision + 1 WHERE id = '{product.Id}';
            UPDATE products SET stock = 0, revision = revision + 1 WHERE id = '{ranOut.Id}';
            INSERT INTO stock_reservations (payment_id, state, expires_at, created_at, updated_at, stock_events_pending)
                VALUES ('{payment}', 'Held', now() + interval '10 minutes', now() - interval '1 minute', now(), TRUE);
            INSERT INTO stock_reservation_lines (payment_id, product_id, quantity) VALUES ('{payment}', '{product.Id}', 2), ('{payment}', '{ranOut.Id}', 1);
            """);

        await products.Events.WaitForAsync<StockChanged>(e =>
            e.Any(x => x.Event.ProductId == product.Id && x.Event.Stock == 3) && e.Any(x => x.Event.ProductId == ranOut.Id && x.Event.Stock == 0));
        await products.Events.WaitForAsync<ProductUpdated>(e => e.Any(x => x.Event.ProductId == ranOut.Id && !x.Event.Available));
        await Eventually.UntilAsync(async () => !await products.Database.ScalarAsync<bool>(
            $"SELECT stock_events_pending FROM stock_reservations WHERE payment_id = '{payment}'"), what: "the flag cleared");
        await Task.Delay(1000);
        await products.Events.CatchUpAsync();
        Assert.Single(products.Events.Seen<StockChanged>(), x => x.Event.ProductId == product.Id && x.Event.Stock == 3);
    }

    [Fact]
    public async Task Product_events_carry_a_revision_that_grows_with_every_change()
    {
        var product = await products.CreateAsync(stock: 5);
        // One at a time: reservations whose events are written in one batch make one event.
        await products.Grpc.ReserveStockAsync(Reserve(Guid.NewGuid(), null, (product.Id, 1)), products.Buyer);
        await products.Events.WaitForAsync<StockChanged>(e => e.Any(x => x.Event.ProductId == product.Id && x.Event.Stock == 4));
        await products.Grpc.ReserveStockAsync(Reserve(Guid.NewGuid(), null, (product.Id, 1)), products.Buyer);

        var changes = await products.Events.WaitForAsync<StockChanged>(e => e.Count(x => x.Event.ProductId == product.Id) >= 3);
        var revisions = changes.Where(x => x.Event.ProductId == product.Id).OrderBy(x => x.Event.Stock).Select(x => x.Event.Revision).ToList();
        Assert.Equal(revisions.OrderDescending(), revisions); // less stock, later revision
        Assert.Equal(revisions.Count, revisions.Distinct().Count());
    }

    private static PaymentSucceeded Succeeded(Guid paymentId, params (string ProductId, int Quantity)[] lines) => new()
    {
        PaymentId = paymentId.ToString(),
        UserId = Guid.NewGuid().ToString(),
        Lines = { lines.Select(l => new PaymentSucceeded.Types.Line { ProductId = l.ProductId, Quantity = l.Quantity, UnitPrice = new Money { AmountCents = 100, Currency = "EUR" } }) },
    };

    [Fact]
    public async Task Stock_is_reserved_and_released_only_by_payments_even_for_a_signed_in_customer_or_admin()
    {
        var product = await products.CreateAsync(stock: 5);
        var payment = Guid.NewGuid();
        var customer = $"Bearer {products.Identity.CustomerToken()}";
        var callers = new Dictionary<string, Metadata>
        {
            ["customer without a service key"] = new() { { "authorization", customer } },
            ["admin without a service key"] = products.Admin,
            ["customer with a wrong key"] = new() { { "authorization", customer }, { ServiceKeys.Header, new string('0', 64) } },
            ["customer with an empty key"] = new() { { "authorization", customer }, { ServiceKeys.Header, "" } },
        };
        foreach (var (who, metadata) in callers)
        {
            var reserve = await Assert.ThrowsAsync<RpcException>(() => products.Grpc.ReserveStockAsync(Reserve(payment, null, (product.Id, 3)), metadata).ResponseAsync);
            var release = await Assert.ThrowsAsync<RpcException>(() => products.Grpc.ReleaseStockAsync(new ReleaseStockRequest { PaymentId = payment.ToString() }, metadata).ResponseAsync);
            Assert.True(reserve.StatusCode == StatusCode.PermissionDenied && release.StatusCode == StatusCode.PermissionDenied, $"{who}: {reserve.StatusCode}, {release.StatusCode}");
        }
        // The key alone, without a buyer, is not enough either.
        var keyOnly = await Assert.ThrowsAsync<RpcException>(() =>
            products.Grpc.ReserveStockAsync(Reserve(payment, null, (product.Id, 3)), new Metadata { { ServiceKeys.Header, products.Identity.PaymentsServiceKey } }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, keyOnly.StatusCode);
        Assert.Equal(5, await products.StockAsync(product.Id));
        Assert.Null(await StateAsync(payment));
    }

    [Fact]
    public async Task Only_the_caller_that_reserved_can_release_the_hold_or_reserve_under_its_payment_id()
    {
        var product = await products.CreateAsync(stock: 5);
        var payment = Guid.NewGuid();
        var buyer = products.Buyer;
        var stranger = products.Buyer; // another user: CustomerToken makes a new one each time
        await products.Grpc.ReserveStockAsync(Reserve(payment, null, (product.Id, 3)), buyer);

        var release = await Assert.ThrowsAsync<RpcException>(() => products.Grpc.ReleaseStockAsync(new ReleaseStockRequest { PaymentId = payment.ToString() }, stranger).ResponseAsync);
        var reserve = await Assert.ThrowsAsync<RpcException>(() => products.Grpc.ReserveStockAsync(Reserve(payment, null, (product.Id, 1)), stranger).ResponseAsync);

        Assert.Equal((StatusCode.PermissionDenied, StatusCode.PermissionDenied), (release.StatusCode, reserve.StatusCode));
        Assert.Equal(("Held", 2), (await StateAsync(payment), await products.StockAsync(product.Id)));
        await products.Grpc.ReleaseStockAsync(new ReleaseStockRequest { PaymentId = payment.ToString() }, buyer);
        Assert.Equal(("Released", 5), (await StateAsync(payment), await products.StockAsync(product.Id)));
    }
}
