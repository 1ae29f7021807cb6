using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GoMicro.Messaging.Outbox;
using GoMicro.Payments.Infrastructure;
using GoMicro.Payments.Providers;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GoMicro.Payments.Checkout;

/// <summary>
/// One checkout, reserve then charge: claim the idempotency key, price the basket, reserve its
/// stock in products (a sold-out line is refused here, before any charge), charge, and record
/// the outcome with its event in one transaction (<see cref="PaymentSettlement"/>). A charge
/// whose answer is lost stays Pending for recovery to settle. A repeated key answers the
/// original payment and never charges again.
/// </summary>
public sealed partial class CheckoutService(
    PaymentsDbContext db, BasketPricer pricer, StockHold stock, IPaymentProvider provider, PaymentSettlement settlement,
    IOptions<RecoveryOptions> recovery, TimeProvider clock, ILogger<CheckoutService> logger)
{
    private static readonly TimeSpan ReplayWait = TimeSpan.FromSeconds(15);

    public async Task<Payment> CheckoutAsync(Guid userId, string? idempotencyKey, string paymentMethod, string authorization, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var key = CheckoutRules.IdempotencyKey(idempotencyKey);
            paymentMethod = CheckoutRules.PaymentMethod(paymentMethod);
            if (provider.ValidatePaymentMethod(paymentMethod) is { } problem)
            {
                throw RpcErrors.InvalidArgument("payment_method", problem);
            }
            var hash = Hash(paymentMethod);

            // No lookup of the key first: a repeated key is rare, and the unique index on it finds
            // one at the insert below (or pricing refuses the emptied basket); both then replay.
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
            var stampedAt = clock.GetTimestamp(); // when UpdatedAt was taken
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
                BasketVersion = priced.BasketVersion,
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
                return await FindAsync(userId, key, cancellationToken) is { } winner
                    ? await ReplayAsync(winner, hash, cancellationToken)
                    : throw FirstAttemptRefused(); // it could not reserve and let the key go meanwhile
            }

            try
            {
                await stock.ReserveAsync(payment, authorization, cancellationToken);
            }
            catch (Exception ex) when (ex is Grpc.Core.RpcException or OperationCanceledException)
            {
                await AbandonAsync(payment);
                throw;
            }

            // Claim the charge: recovery leaves a payment alone until it is StaleAfter old, which
            // is at least twice the provider's whole budget (checked at start-up). A reservation
            // that came back within a quarter of StaleAfter of the insert leaves the charge
            // three quarters of it, so recovery cannot meet it in flight: no write. A slower one
            // moves the payment's clock on first; if recovery already settled it (this checkout
            // was slower than StaleAfter), its outcome stands and nothing is charged here.
            if (clock.GetElapsedTime(stampedAt) >= recovery.Value.StaleAfter / 4)
            {
                payment.UpdatedAt = clock.GetUtcNowForPostgres();
                try
                {
                    await db.SaveChangesAsync(CancellationToken.None);
                }
                catch (DbUpdateConcurrencyException)
                {
                    db.ChangeTracker.Clear();
                    return await db.Payments.AsNoTracking().FirstAsync(p => p.Id == payment.Id, CancellationToken.None);
                }
            }

            // Not the request's token: once the stock is held, the charge is seen through even if the caller goes away.
            var result = await provider.ChargeAsync(new ChargeRequest(payment.Id, payment.AmountCents, payment.Currency, payment.PaymentMethod), CancellationToken.None);
            if (result.Outcome == ChargeOutcome.Unknown)
            {
                LogOutcomeUnknown(logger, payment.Id, result.Reason);
            }
            payment = await settlement.RecordAsync(payment, result);
            PaymentsMetrics.Checkouts.WithLabels(payment.Status switch
            {
                PaymentState.Succeeded => "charged",
                PaymentState.Pending => "pending",
                _ => "not_charged",
            }).Inc();
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
    /// The stock could not be reserved, so nothing will be charged: the claim goes (the key is
    /// free for a retry), and PaymentFailed, in the same transaction, releases whatever products
    /// may hold for this payment if the reservation's answer was lost.
    /// </summary>
    private async Task AbandonAsync(Payment payment)
    {
        db.Payments.Remove(payment);
        payment.Reason = "stock_not_reserved";
        payment.UpdatedAt = clock.GetUtcNowForPostgres();
        db.AddEvent(payment.ToFailedEvent());
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Recovery took this (slow) checkout's payment meanwhile and settles it: nothing to undo here.
            db.ChangeTracker.Clear();
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
            current = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == earlier.Id, cancellationToken)
                ?? throw FirstAttemptRefused();
        }
        PaymentsMetrics.Checkouts.WithLabels("replayed").Inc();
        return current;
    }

    private static Grpc.Core.RpcException FirstAttemptRefused() =>
        RpcErrors.FailedPrecondition("the first request with this Idempotency-Key could not reserve the basket's stock and charged nothing; send it again");

    private Task<Payment?> FindAsync(Guid userId, string key, CancellationToken cancellationToken) =>
        db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == userId && p.IdempotencyKey == key, cancellationToken);

    private static string Hash(string paymentMethod) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(paymentMethod)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payment {PaymentId}: the provider's answer was lost ({Reason}); it stays pending until recovery asks the provider")]
    private static partial void LogOutcomeUnknown(ILogger logger, Guid paymentId, string? reason);
}
