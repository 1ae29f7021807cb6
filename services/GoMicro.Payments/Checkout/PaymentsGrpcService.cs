using System.Globalization;
using GoMicro.Payments.Infrastructure;
using GoMicro.Payments.V1;
using GoMicro.ServiceDefaults.Auth;
using GoMicro.ServiceDefaults.Paging;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using PaymentMessage = GoMicro.Payments.V1.Payment;

namespace GoMicro.Payments.Checkout;

[Authorize]
public sealed class PaymentsGrpcService(PaymentsDbContext db, CheckoutService checkout) : PaymentsService.PaymentsServiceBase
{
    public const string IdempotencyKeyHeader = "idempotency-key";

    // Worst case: pricing (basket 3 s, products 3 s), the reservation (3 s), the provider
    // (3 attempts of 2 s with back-off), or a same-key replay waiting up to 15 s for the first.
    [GatewayTimeout(30)]
    public override async Task<PaymentMessage> Checkout(CheckoutRequest request, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var payment = await checkout.CheckoutAsync(
            context.GetUserId(),
            context.RequestHeaders.GetValue(IdempotencyKeyHeader),
            request.PaymentMethod,
            http.Request.Headers.Authorization.ToString(),
            context.CancellationToken);
        return payment.ToMessage();
    }

    public override async Task<PaymentMessage> GetPayment(GetPaymentRequest request, ServerCallContext context)
    {
        var notFound = RpcErrors.NotFound($"payment {request.Id} does not exist");
        if (!Guid.TryParse(request.Id, out var id))
        {
            throw notFound;
        }
        var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, context.CancellationToken);
        // Someone else's payment is "not found", not "forbidden": ids reveal nothing.
        if (payment is null || (payment.UserId != context.GetUserId() && !context.IsAdmin()))
        {
            throw notFound;
        }
        return payment.ToMessage();
    }

    public override async Task<ListPaymentsResponse> ListPayments(ListPaymentsRequest request, ServerCallContext context)
    {
        var userId = context.GetUserId();
        var size = Paging.PageSize(request.PageSize);
        var query = db.Payments.AsNoTracking().Where(p => p.UserId == userId);
        if (Paging.DecodeTimeToken(request.PageToken) is var (before, lastId))
        {
            query = query.Where(p => EF.Functions.LessThan(ValueTuple.Create(p.CreatedAt, p.Id), ValueTuple.Create(before, lastId)));
        }
        var page = await query.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id).Take(size + 1).ToListAsync(context.CancellationToken);
        var response = new ListPaymentsResponse();
        response.Payments.AddRange(page.Take(size).Select(p => p.ToMessage()));
        if (page.Count > size)
        {
            var last = page[size - 1];
            response.NextPageToken = Paging.EncodeToken(last.CreatedAt, last.Id);
        }
        return response;
    }
}
