using GoMicro.Common.V1;
using GoMicro.Events.V1;
using GoMicro.Payments.V1;
using Google.Protobuf.WellKnownTypes;
using PaymentMessage = GoMicro.Payments.V1.Payment;
using PaymentLineMessage = GoMicro.Payments.V1.PaymentLine;

namespace GoMicro.Payments.Checkout;

internal static class PaymentMapping
{
    public static PaymentMessage ToMessage(this Model.Payment payment) => new()
    {
        Id = payment.Id.ToString(),
        UserId = payment.UserId.ToString(),
        Status = payment.Status switch
        {
            PaymentState.Pending => PaymentStatus.Pending,
            PaymentState.Succeeded => PaymentStatus.Succeeded,
            PaymentState.Declined => PaymentStatus.Declined,
            PaymentState.Failed => PaymentStatus.Failed,
            PaymentState.RefundPending => PaymentStatus.RefundPending,
            PaymentState.Refunded => PaymentStatus.Refunded,
            _ => PaymentStatus.Unspecified,
        },
        Lines =
        {
            payment.Lines.Select(l => new PaymentLineMessage
            {
                ProductId = l.ProductId,
                Name = l.Name,
                Quantity = l.Quantity,
                UnitPrice = new Money { AmountCents = l.UnitPriceCents, Currency = payment.Currency },
                LineTotal = new Money { AmountCents = l.UnitPriceCents * l.Quantity, Currency = payment.Currency },
            }),
        },
        Amount = new Money { AmountCents = payment.AmountCents, Currency = payment.Currency },
        ProviderReference = payment.ProviderReference ?? "",
        Reason = payment.Reason ?? "",
        CreatedAt = Timestamp.FromDateTimeOffset(payment.CreatedAt),
        UpdatedAt = Timestamp.FromDateTimeOffset(payment.UpdatedAt),
    };

    public static PaymentSucceeded ToSucceededEvent(this Model.Payment payment) => new()
    {
        PaymentId = payment.Id.ToString(),
        UserId = payment.UserId.ToString(),
        Lines =
        {
            payment.Lines.Select(l => new PaymentSucceeded.Types.Line
            {
                ProductId = l.ProductId,
                Quantity = l.Quantity,
                UnitPrice = new Money { AmountCents = l.UnitPriceCents, Currency = payment.Currency },
            }),
        },
        Amount = new Money { AmountCents = payment.AmountCents, Currency = payment.Currency },
        OccurredAt = Timestamp.FromDateTimeOffset(payment.UpdatedAt),
        BasketVersion = payment.BasketVersion,
    };

    public static PaymentFailed ToFailedEvent(this Model.Payment payment) => new()
    {
        PaymentId = payment.Id.ToString(),
        UserId = payment.UserId.ToString(),
        Reason = payment.Reason ?? "",
        OccurredAt = Timestamp.FromDateTimeOffset(payment.UpdatedAt),
    };
}
