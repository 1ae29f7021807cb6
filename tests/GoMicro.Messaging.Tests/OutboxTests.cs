using GoMicro.Events.V1;
using GoMicro.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using GoMicro.Testing;
using Microsoft.Extensions.Hosting;

namespace GoMicro.Messaging.Tests;

public sealed class OutboxTests(MessagingFixture fixture) : IClassFixture<MessagingFixture>
{
    [Fact]
    public async Task Sent_outbox_rows_and_inbox_rows_past_their_retention_are_purged_in_batches_and_nothing_else()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        using var app = await TestApp.StartAsync(fixture.Database.ConnectionString, fixture.Broker.Uri, consume: false);
        await fixture.Database.ExecuteAsync($"""
            INSERT INTO outbox_messages (id, type, payload, correlation_id, occurred_at, sent_at)
            SELECT gen_random_uuid(), 'old-sent-{tag}', decode('00', 'hex'), 'c', now() - interval '30 days', now() - interval '30 days' FROM generate_series(1, 30);
            INSERT INTO outbox_messages (id, type, payload, correlation_id, occurred_at, sent_at)
            VALUES (gen_random_uuid(), 'recent-{tag}', decode('00', 'hex'), 'c', now() - interval '1 day', now() - interval '1 day');
            INSERT INTO inbox_messages (message_id, consumer, type, handled_at)
            SELECT gen_random_uuid(), 'old-{tag}', 't', now() - interval '30 days' FROM generate_series(1, 20);
            INSERT INTO inbox_messages (message_id, consumer, type, handled_at) VALUES (gen_random_uuid(), 'recent-{tag}', 't', now());
            """);

        await Eventually.UntilAsync(async () =>
            await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM outbox_messages WHERE type = 'old-sent-{tag}'") == 0
            && await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM inbox_messages WHERE consumer = 'old-{tag}'") == 0, what: "old rows purged");
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM outbox_messages WHERE type = 'recent-{tag}'"));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>($"SELECT count(*) FROM inbox_messages WHERE consumer = 'recent-{tag}'"));
        await app.StopAsync();
    }

    [Fact]
    public async Task Two_dispatchers_on_one_database_publish_every_row_exactly_once()
    {
        const int rows = 300;
        var tag = Guid.NewGuid().ToString("N");
        using var writer = await TestApp.StartAsync(fixture.Database.ConnectionString, fixture.Broker.Uri, consume: false);
        await writer.StopAsync(); // only its DbContext is needed: rows pile up with no dispatcher running
        await using (var scope = writer.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            for (var i = 0; i < rows; i++)
            {
                db.AddEvent(new ProductDeleted { ProductId = $"{tag}-{i}" });
            }
            await db.SaveChangesAsync();
        }

        var replicas = await Task.WhenAll(
            TestApp.StartAsync(fixture.Database.ConnectionString, fixture.Broker.Uri, consume: false),
            TestApp.StartAsync(fixture.Database.ConnectionString, fixture.Broker.Uri, consume: false));
        try
        {
            await fixture.Events.WaitForAsync<ProductDeleted>(e => e.Count(x => x.Event.ProductId.StartsWith(tag, StringComparison.Ordinal)) >= rows, TimeSpan.FromSeconds(60));
            // A second copy of a row would come from a dispatcher still publishing: stop both
            // (each finishes what it has in hand), then wait for all they published to arrive.
            await Task.WhenAll(replicas.Select(r => r.StopAsync()));
            await fixture.Events.CatchUpAsync();

            var ours = fixture.Events.Seen<ProductDeleted>().Where(x => x.Event.ProductId.StartsWith(tag, StringComparison.Ordinal)).ToList();
            Assert.Equal(rows, ours.Count);
            Assert.Equal(rows, ours.Select(x => x.MessageId).Distinct().Count());
            Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.StopAsync();
                replica.Dispose();
            }
        }
    }

    [Fact]
    public async Task An_event_of_a_rolled_back_transaction_is_never_published()
    {
        using var app = await TestApp.StartAsync(fixture.Database.ConnectionString, fixture.Broker.Uri, consume: false);
        var rolledBack = "rolled-back-" + Guid.NewGuid();
        var committed = "committed-" + Guid.NewGuid();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                db.AddEvent(new ProductDeleted { ProductId = rolledBack });
                await db.SaveChangesAsync();
                await transaction.RollbackAsync();
            }
            db.ChangeTracker.Clear();
            db.AddEvent(new ProductDeleted { ProductId = committed });
            await db.SaveChangesAsync();
        }

        await fixture.Events.WaitForAsync<ProductDeleted>(e => e.Any(x => x.Event.ProductId == committed));
        // Everything the outbox holds has been published, and has reached the probe.
        await Eventually.UntilAsync(async () => await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL") == 0, what: "the outbox drained");
        await fixture.Events.CatchUpAsync();
        Assert.DoesNotContain(fixture.Events.Seen<ProductDeleted>(), x => x.Event.ProductId == rolledBack);
        await app.StopAsync();
    }

    [Fact]
    public async Task Only_a_commit_that_adds_outbox_rows_wakes_the_dispatcher()
    {
        using var app = await TestApp.StartAsync(fixture.Database.ConnectionString, fixture.Broker.Uri, consume: false);
        await app.StopAsync(); // no dispatcher takes the signal: the test reads it
        var signal = app.Services.GetRequiredService<OutboxSignal>();
        await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None); // whatever start-up left
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();

        async Task<bool> Woken() => await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None);
        async Task CommitAsync(bool withEvent)
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Handled.Add(new HandledEvent { Id = Guid.NewGuid(), ProductId = "no-event" });
            if (withEvent)
            {
                db.AddEvent(new ProductDeleted { ProductId = "signal-" + Guid.NewGuid() });
            }
            await db.SaveChangesAsync();
            Assert.False(await Woken()); // not before the commit: the row is not visible yet
            await transaction.CommitAsync();
        }

        await CommitAsync(withEvent: false);
        Assert.False(await Woken());
        await CommitAsync(withEvent: true);
        Assert.True(await Woken());

        db.Handled.Add(new HandledEvent { Id = Guid.NewGuid(), ProductId = "no-event" });
        await db.SaveChangesAsync();
        Assert.False(await Woken());
        db.AddEvent(new ProductDeleted { ProductId = "signal-" + Guid.NewGuid() });
        await db.SaveChangesAsync();
        Assert.True(await Woken());
    }

    [Fact]
    public async Task A_save_inside_a_transaction_sends_no_savepoint()
    {
        using var app = await TestApp.StartAsync(fixture.Database.ConnectionString, fixture.Broker.Uri, consume: false);
        await app.StopAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        // EF Core would send SAVEPOINT before this save (a round trip that nothing here needs).
        Assert.False(db.Database.AutoSavepointsEnabled);
        db.Handled.Add(new HandledEvent { Id = Guid.NewGuid(), ProductId = "savepoint" });
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }
}
