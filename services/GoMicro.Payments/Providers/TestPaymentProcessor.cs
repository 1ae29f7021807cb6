using System.Collections.Concurrent;
using GoMicro.Payments.Infrastructure;

namespace GoMicro.Payments.Providers;

/// <summary>A charge the test processor made; its ledger, to prove one charge per payment and a charge behind every refund.</summary>
public sealed class TestProcessorCharge
{
    public required string Reference { get; set; }

    public Guid PaymentId { get; set; }

    public long AmountCents { get; set; }

    public required string Currency { get; set; }

    public DateTimeOffset ChargedAt { get; set; }

    public DateTimeOffset? RefundedAt { get; set; }
}

/// <summary>
/// The default provider: deterministic outcomes chosen by the test card, so every path of
/// checkout can be exercised. Its ledger lives in its own table and commits on its own, as
/// an external processor's would.
/// </summary>
public sealed class TestPaymentProcessor(IServiceScopeFactory scopes, TimeProvider clock, TestProcessorOptions options) : IPaymentProvider
{
    public static readonly IReadOnlyDictionary<string, string> Cards = new Dictionary<string, string>
    {
        [TestCards.Success] = "charged",
        [TestCards.Declined] = "declined: card_declined",
        [TestCards.InsufficientFunds] = "declined: insufficient_funds",
        [TestCards.ProcessorError] = "fails once with a transient error, charged when retried",
        [TestCards.ProcessorDown] = "always a transient error: the payment fails, nothing charged",
        [TestCards.Slow] = "never answers in time, and charges nothing: the payment stays pending until recovery finds no charge, then fails",
        [TestCards.LateAnswer] = "charges, then answers too late every time: the outcome is unknown to checkout",
    };

    // Payments of the "fails once" card that have failed their first attempt (removed on the second: bounded by what is in flight).
    private readonly ConcurrentDictionary<Guid, byte> _failedOnce = new();

    public string? ValidatePaymentMethod(string paymentMethod) =>
        Cards.ContainsKey(paymentMethod) ? null : $"unknown test card; use one of {string.Join(", ", Cards.Keys)}";

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        switch (request.PaymentMethod)
        {
            case TestCards.Declined:
                return ChargeResult.Declined("card_declined");
            case TestCards.InsufficientFunds:
                return ChargeResult.Declined("insufficient_funds");
            case TestCards.ProcessorError when _failedOnce.TryAdd(request.PaymentId, 0):
            case TestCards.ProcessorDown:
                throw new PaymentProviderUnavailableException("test processor: temporary error");
            case TestCards.ProcessorError:
                _failedOnce.TryRemove(request.PaymentId, out _);
                break;
            case TestCards.Slow:
                await Task.Delay(TimeSpan.FromSeconds(30), clock, cancellationToken);
                break;
        }

        await using var scope = scopes.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        if (await ledger.TestProcessorCharges.FirstOrDefaultAsync(c => c.PaymentId == request.PaymentId, cancellationToken) is { } existing)
        {
            await AnswerLateAsync(request, cancellationToken);
            return ChargeResult.Charged(existing.Reference); // idempotent per payment
        }
        var charge = new TestProcessorCharge
        {
            Reference = "ch_" + Guid.NewGuid().ToString("N"),
            PaymentId = request.PaymentId,
            AmountCents = request.AmountCents,
            Currency = request.Currency,
            ChargedAt = clock.GetUtcNow(),
        };
        ledger.TestProcessorCharges.Add(charge);
        try
        {
            await ledger.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent attempt for the same payment charged first: one charge, its reference.
            ledger.ChangeTracker.Clear();
            return ChargeResult.Charged((await ledger.TestProcessorCharges.FirstAsync(c => c.PaymentId == request.PaymentId, cancellationToken)).Reference);
        }
        await AnswerLateAsync(request, cancellationToken);
        return ChargeResult.Charged(charge.Reference);
    }

    private Task AnswerLateAsync(ChargeRequest request, CancellationToken cancellationToken) =>
        request.PaymentMethod == TestCards.LateAnswer ? Task.Delay(TimeSpan.FromSeconds(30), clock, cancellationToken) : Task.CompletedTask;

    /// <summary>The outage switch: while the file named by Payments:TestProcessor:OutageFile exists, every call fails as unreachable.</summary>
    private void ThrowIfDown()
    {
        if (options.OutageFile is { Length: > 0 } file && File.Exists(file))
        {
            throw new PaymentProviderUnavailableException("test processor: down (outage switch " + file + ")");
        }
    }

    public async Task<ChargeResult> FindChargeAsync(Guid paymentId, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        await using var scope = scopes.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        return await ledger.TestProcessorCharges.AsNoTracking().FirstOrDefaultAsync(c => c.PaymentId == paymentId, cancellationToken) is { } charge
            ? ChargeResult.Charged(charge.Reference)
            : ChargeResult.NotCharged("no charge for this payment");
    }

    public async Task RefundAsync(Guid paymentId, string reference, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        await using var scope = scopes.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        await ledger.TestProcessorCharges
            .Where(c => c.Reference == reference && c.PaymentId == paymentId && c.RefundedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.RefundedAt, clock.GetUtcNow()), cancellationToken);
    }
}

/// <summary>The documented test cards (the README lists them).</summary>
public static class TestCards
{
    public const string Success = "tok_visa";
    public const string Declined = "tok_declined";
    public const string InsufficientFunds = "tok_insufficient_funds";
    public const string ProcessorError = "tok_processor_error";
    public const string ProcessorDown = "tok_processor_down";
    public const string Slow = "tok_slow";
    public const string LateAnswer = "tok_late_answer";
}

/// <summary>Section "Payments:TestProcessor".</summary>
public sealed class TestProcessorOptions
{
    /// <summary>While this file exists the processor is down: for outage drills (scripts/chaos.sh) and tests.</summary>
    public string? OutageFile { get; set; }
}
