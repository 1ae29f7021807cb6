using GoMicro.Events.V1;
using GoMicro.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GoMicro.Messaging.Tests;

public sealed class OutboxTests(MessagingFixture fixture) : IClassFixture<MessagingFixture>
{
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
            var seen = await fixture.Events.WaitForAsync<ProductDeleted>(e => e.Count(x => x.Event.ProductId.StartsWith(tag, StringComparison.Ordinal)) >= rows, TimeSpan.FromSeconds(60));
            await Task.Delay(1000);
            seen = fixture.Events.Seen<ProductDeleted>();

            var ours = seen.Where(x => x.Event.ProductId.StartsWith(tag, StringComparison.Ordinal)).ToList();
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
        await Task.Delay(500);
        Assert.DoesNotContain(fixture.Events.Seen<ProductDeleted>(), x => x.Event.ProductId == rolledBack);
        await app.StopAsync();
    }
}
