using GoMicro.Payments.Providers;
using GoMicro.ServiceDefaults.Data;
using GoMicro.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// The default payment adapter on its own, with its ledger in a real database and a clock the
/// test moves: what it remembers of a "fails once" card's first attempt does not outlive the
/// retry that should follow it.
/// </summary>
public sealed class TestProcessorTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Memory = TestPaymentProcessor.FailedAttemptMemory;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private ServiceProvider _services = null!;

    public async ValueTask InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddDbContext<TestProcessorLedger>(o => o.UseServicePostgres(database.ConnectionString, TestProcessorLedger.Schema))
            .BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TestProcessorLedger>().Database.MigrateAsync();
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private TestPaymentProcessor NewProcessor() => new(_services.GetRequiredService<IServiceScopeFactory>(), _clock, new TestProcessorOptions());

    private static ChargeRequest FailsOnce(Guid paymentId) => new(paymentId, 1200, "EUR", TestCards.ProcessorError);

    [Fact]
    public async Task Concurrent_and_repeated_charges_of_one_payment_book_one_charge_and_answer_its_reference()
    {
        var processor = NewProcessor();
        var payment = Guid.NewGuid();
        var request = new ChargeRequest(payment, 1200, "EUR", TestCards.Success);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => processor.ChargeAsync(request, default))));
        var again = await processor.ChargeAsync(request, default);

        Assert.All(results, r => Assert.Equal(ChargeOutcome.Charged, r.Outcome));
        var reference = Assert.Single(results.Select(r => r.Reference).Append(again.Reference).Distinct());
        Assert.Equal(reference, await database.ScalarAsync<string>($"SELECT reference FROM test_processor.charges WHERE payment_id = '{payment}'"));
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges WHERE payment_id = '{payment}'"));
        Assert.Equal(1200L, await database.ScalarAsync<long>($"SELECT amount_cents FROM test_processor.charges WHERE payment_id = '{payment}'"));
    }

    [Fact]
    public async Task The_fails_once_card_is_charged_on_a_prompt_retry()
    {
        var processor = NewProcessor();
        var payment = Guid.NewGuid();

        await Assert.ThrowsAsync<PaymentProviderUnavailableException>(() => processor.ChargeAsync(FailsOnce(payment), default));
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(ChargeOutcome.Charged, (await processor.ChargeAsync(FailsOnce(payment), default)).Outcome);
    }

    [Fact]
    public async Task A_retry_that_comes_after_the_first_attempt_was_forgotten_is_a_first_attempt_again()
    {
        var processor = NewProcessor();
        var payment = Guid.NewGuid();

        await Assert.ThrowsAsync<PaymentProviderUnavailableException>(() => processor.ChargeAsync(FailsOnce(payment), default));
        _clock.Advance(Memory + TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<PaymentProviderUnavailableException>(() => processor.ChargeAsync(FailsOnce(payment), default));
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM test_processor.charges WHERE payment_id = '{payment}'"));
        Assert.Equal(ChargeOutcome.Charged, (await processor.ChargeAsync(FailsOnce(payment), default)).Outcome);
    }

    [Fact]
    public async Task First_attempts_whose_retry_never_comes_are_forgotten()
    {
        var processor = NewProcessor();
        for (var i = 0; i < 200; i++)
        {
            await Assert.ThrowsAsync<PaymentProviderUnavailableException>(() => processor.ChargeAsync(FailsOnce(Guid.NewGuid()), default));
        }
        Assert.Equal(200, processor.RememberedFirstAttempts);

        // Traffic goes on after the memory has passed: the abandoned entries go, only the new one stays.
        _clock.Advance(Memory + TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<PaymentProviderUnavailableException>(() => processor.ChargeAsync(FailsOnce(Guid.NewGuid()), default));
        Assert.Equal(1, processor.RememberedFirstAttempts);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
