using GoMicro.Products.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace GoMicro.Payments.Checkout;

/// <summary>Reserves a payment's stock in products before it is charged: a sold-out line is refused here, before any money moves.</summary>
public sealed class StockHold(ProductsService.ProductsServiceClient products, CheckoutOptions options)
{
    public async Task ReserveAsync(Payment payment, string authorization, CancellationToken cancellationToken)
    {
        var request = new ReserveStockRequest { PaymentId = payment.Id.ToString(), Ttl = Duration.FromTimeSpan(options.ReservationTtl) };
        request.Lines.AddRange(payment.Lines.Select(l => new StockLine { ProductId = l.ProductId, Quantity = l.Quantity }));
        try
        {
            await products.ReserveStockAsync(request, new Metadata { { "authorization", authorization } }, cancellationToken: cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
        {
            throw RpcErrors.FailedPrecondition(ex.Status.Detail); // names the short lines
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            throw RpcErrors.Unauthenticated("products refused the caller's token");
        }
        catch (RpcException)
        {
            throw RpcErrors.Unavailable("The products service is unavailable; try again shortly.");
        }
    }
}

/// <summary>Section "Payments:Checkout".</summary>
public sealed class CheckoutOptions
{
    /// <summary>How long products holds a checkout's stock unless the payment settles first.</summary>
    public TimeSpan ReservationTtl { get; set; } = TimeSpan.FromMinutes(10);
}
