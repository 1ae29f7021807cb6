using System.Collections.Concurrent;

namespace GoMicro.Payments.Providers;

/// <summary>
/// The default provider: deterministic outcomes chosen by the test card, so every path of
/// checkout can be exercised. Its ledger (<see cref="TestProcessorLedger"/>) is its own context
/// and schema, and commits on its own, as an external processor's books would.
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

    /// <summary>
    /// How long the "fails once" card remembers a failed first attempt. Its retry comes within
    /// seconds (the provider's whole budget, attempts and back-off, is a few seconds), so an
    /// entry older than this belongs to a payment whose retry never came (the process serving
    /// it died, or recovery settled it): it is dropped, so memory follows recent traffic, not
    /// all traffic since start. A retry after this long is a first attempt again.
    /// </summary>
    public static readonly TimeSpan FailedAttemptMemory = TimeSpan.FromMinutes(5);

    // Payments of the "fails once" card whose first attempt failed, and when.
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _failedOnce = new();
    private long _nextSweepTicks;

    /// <summary>Failed first attempts remembered now (for tests: nothing else shows the memory's size).</summary>
    internal int RememberedFirstAttempts => _failedOnce.Count;

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
            case TestCards.ProcessorError when IsFirstAttempt(request.PaymentId):
            case TestCards.ProcessorDown:
                throw new PaymentProviderUnavailableException("test processor: temporary error");
            case TestCards.Slow:
                await Task.Delay(TimeSpan.FromSeconds(30), clock, cancellationToken);
                break;
        }

        await using var scope = scopes.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<TestProcessorLedger>();
        // One statement, one round trip: books the charge, or finds the one this payment already
        // has (idempotent per payment; the unique index on payment_id decides between racers).
        var reference = "ch_" + Guid.NewGuid().ToString("N");
        var chargedAt = clock.GetUtcNow();
        var booked = await ledger.Database.SqlQuery<string>($"""
            WITH booked AS (
                INSERT INTO test_processor.charges (reference, payment_id, amount_cents, currency, charged_at)
                VALUES ({reference}, {request.PaymentId}, {request.AmountCents}, {request.Currency}, {chargedAt})
                ON CONFLICT (payment_id) DO NOTHING
                RETURNING reference)
            SELECT reference AS "Value" FROM booked
            UNION ALL
            SELECT reference FROM test_processor.charges WHERE payment_id = {request.PaymentId}
            """).ToListAsync(cancellationToken);
        // Empty only when a concurrent attempt committed its charge after this statement began:
        // the statement's snapshot cannot see that row, a new one can.
        var charged = booked.Count > 0
            ? booked[0]
            : (await ledger.Charges.AsNoTracking().FirstAsync(c => c.PaymentId == request.PaymentId, cancellationToken)).Reference;
        await AnswerLateAsync(request, cancellationToken);
        return ChargeResult.Charged(charged);
    }

    /// <summary>
    /// True (and remembered) for a payment's first attempt; false, and forgotten, for its retry
    /// within <see cref="FailedAttemptMemory"/>.
    /// </summary>
    private bool IsFirstAttempt(Guid paymentId)
    {
        var now = clock.GetUtcNow();
        ForgetAbandoned(now);
        if (_failedOnce.TryRemove(paymentId, out var failedAt) && now - failedAt < FailedAttemptMemory)
        {
            return false;
        }
        _failedOnce[paymentId] = now;
        return true;
    }

    /// <summary>At most once per <see cref="FailedAttemptMemory"/>: drops the first attempts whose retry never came.</summary>
    private void ForgetAbandoned(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + FailedAttemptMemory).UtcTicks, due) != due)
        {
            return; // not yet, or another call is sweeping
        }
        foreach (var (paymentId, failedAt) in _failedOnce)
        {
            if (now - failedAt >= FailedAttemptMemory)
            {
                _failedOnce.TryRemove(KeyValuePair.Create(paymentId, failedAt));
            }
        }
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
        var ledger = scope.ServiceProvider.GetRequiredService<TestProcessorLedger>();
        return await ledger.Charges.AsNoTracking().FirstOrDefaultAsync(c => c.PaymentId == paymentId, cancellationToken) is { } charge
            ? ChargeResult.Charged(charge.Reference)
            : ChargeResult.NotCharged("no charge for this payment");
    }

    public async Task RefundAsync(Guid paymentId, string reference, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        await using var scope = scopes.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<TestProcessorLedger>();
        await ledger.Charges
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
