using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GoMicro.Messaging.Outbox;
using GoMicro.Payments.Infrastructure;
using GoMicro.Payments.Payments;
using GoMicro.Payments.Providers;
using Npgsql;

namespace GoMicro.Payments.Checkout;

/// <summary>
/// One checkout: claim the idempotency key, price the basket, charge, record the outcome
/// and (on success) the PaymentSucceeded event in one transaction. A repeated key answers
/// the original payment and never charges again.
/// </summary>
public sealed partial class CheckoutService(
    PaymentsDbContext db, BasketPricer pricer, IPaymentProvider provider, TimeProvider clock, ILogger<CheckoutService> logger)
{
    public const int MaxIdempotencyKeyLength = 100;
    private static readonly TimeSpan ReplayWait = TimeSpan.FromSeconds(15);

    public async Task<Payment> CheckoutAsync(Guid userId, string? idempotencyKey, string paymentMethod, string authorization, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var key = idempotencyKey?.Trim() ?? "";
            if (key.Length is 0 or > MaxIdempotencyKeyLength)
            {
                throw RpcErrors.InvalidArgument("Idempotency-Key", $"header is required (1–{MaxIdempotencyKeyLength} characters, e.g. a UUID per purchase attempt)");
            }
            if (string.IsNullOrWhiteSpace(paymentMethod))
            {
                throw RpcErrors.InvalidArgument("payment_method", "is required");
            }
            if (provider.ValidatePaymentMethod(paymentMethod) is { } problem)
            {
                throw RpcErrors.InvalidArgument("payment_method", problem);
            }
            var hash = Hash(paymentMethod);

            if (await FindAsync(userId, key, cancellationToken) is { } earlier)
            {
                return await ReplayAsync(earlier, hash, cancellationToken);
            }

            BasketPricer.PricedBasket priced;
            try
            {
                priced = await pricer.PriceAsync(authorization, cancellationToken);
            }
            catch (Grpc.Core.RpcException)
            {
                // A concurrent request with this key may have paid meanwhile, and the basket it
                // emptied no longer prices: then this request is that one's replay, not a refusal.
                if (await FindAsync(userId, key, cancellationToken) is { } sameKey)
                {
                    return await ReplayAsync(sameKey, hash, cancellationToken);
                }
                throw;
            }
            var now = clock.GetUtcNowForPostgres();
            var payment = new Payment
            {
                Id = Guid.CreateVersion7(),
                UserId = userId,
                IdempotencyKey = key,
                RequestHash = hash,
                PaymentMethod = paymentMethod,
                Status = PaymentState.Pending,
                Lines = [.. priced.Lines],
                AmountCents = priced.AmountCents,
                Currency = priced.Currency,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Payments.Add(payment);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // A concurrent request with the same key got there first: answer what it did.
                db.ChangeTracker.Clear();
                if (await FindAsync(userId, key, cancellationToken) is not { } winner)
                {
                    throw;
                }
                return await ReplayAsync(winner, hash, cancellationToken);
            }
            await ChargeAsync(db, provider, payment, clock, logger, cancellationToken);
            PaymentsMetrics.Checkouts.WithLabels("charged").Inc();
            return payment;
        }
        catch (Grpc.Core.RpcException)
        {
            PaymentsMetrics.Checkouts.WithLabels("refused").Inc();
            throw;
        }
        finally
        {
            PaymentsMetrics.CheckoutDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>
    /// Charges a pending payment and records the outcome. Also used to finish payments a
    /// crashed replica left pending (the provider is idempotent per payment id).
    /// </summary>
    public static async Task ChargeAsync(PaymentsDbContext db, IPaymentProvider provider, Payment payment, TimeProvider clock, ILogger logger, CancellationToken cancellationToken)
    {
        ChargeResult result;
        try
        {
            result = await provider.ChargeAsync(new ChargeRequest(payment.Id, payment.AmountCents, payment.Currency, payment.PaymentMethod), cancellationToken);
        }
        catch (Exception ex) when (ex is PaymentProviderUnavailableException or Polly.Timeout.TimeoutRejectedException)
        {
            LogProviderFailed(logger, payment.Id, ex.Message);
            result = new ChargeResult(false, null, null);
        }

        payment.UpdatedAt = clock.GetUtcNowForPostgres();
        if (result.Succeeded)
        {
            payment.Status = PaymentState.Succeeded;
            payment.ProviderReference = result.Reference;
            db.AddEvent(payment.ToSucceededEvent());
            PaymentsMetrics.Payments.WithLabels("succeeded").Inc();
        }
        else if (result.DeclineReason is { } reason)
        {
            payment.Status = PaymentState.Declined;
            payment.Reason = reason;
            PaymentsMetrics.Payments.WithLabels("declined").Inc();
        }
        else
        {
            payment.Status = PaymentState.Failed;
            payment.Reason = "payment_provider_unavailable";
            PaymentsMetrics.Payments.WithLabels("failed").Inc();
        }
        try
        {
            // Not the request's token: the charge happened, so its outcome must be recorded even if the caller has gone.
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Recovery finished this payment meanwhile (same charge: the provider is idempotent); theirs stands.
            db.ChangeTracker.Clear();
            var recorded = await db.Payments.AsNoTracking().FirstAsync(p => p.Id == payment.Id, CancellationToken.None);
            (payment.Status, payment.ProviderReference, payment.Reason, payment.UpdatedAt) = (recorded.Status, recorded.ProviderReference, recorded.Reason, recorded.UpdatedAt);
        }
    }

    private async Task<Payment> ReplayAsync(Payment earlier, string hash, CancellationToken cancellationToken)
    {
        if (earlier.RequestHash != hash)
        {
            throw RpcErrors.Unprocessable("Idempotency-Key: this key was used for a different request; use a new key for a new purchase");
        }
        // The first request may still be charging: wait for its outcome rather than answer Pending.
        var deadline = clock.GetUtcNow() + ReplayWait;
        var current = earlier;
        while (current.Status == PaymentState.Pending && clock.GetUtcNow() < deadline)
        {
            await Task.Delay(100, cancellationToken);
            current = await db.Payments.AsNoTracking().FirstAsync(p => p.Id == earlier.Id, cancellationToken);
        }
        PaymentsMetrics.Checkouts.WithLabels("replayed").Inc();
        return current;
    }

    private Task<Payment?> FindAsync(Guid userId, string key, CancellationToken cancellationToken) =>
        db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == userId && p.IdempotencyKey == key, cancellationToken);

    private static string Hash(string paymentMethod) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(paymentMethod)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payment {PaymentId}: provider unavailable after retries: {Reason}")]
    private static partial void LogProviderFailed(ILogger logger, Guid paymentId, string reason);
}
