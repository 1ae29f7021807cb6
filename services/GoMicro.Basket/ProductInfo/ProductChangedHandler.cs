using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Messaging.Consuming;

namespace GoMicro.Basket.ProductInfo;

/// <summary>Drops the cached product so the next basket read shows the new name, price or availability. Idempotent.</summary>
public sealed class ProductChangedHandler(ProductInfoCache productInfo) : IIntegrationEventHandler<ProductUpdated>, IIntegrationEventHandler<ProductDeleted>
{
    public Task HandleAsync(ProductUpdated message, EventContext context, CancellationToken cancellationToken) => productInfo.ForgetAsync(message.ProductId);

    public Task HandleAsync(ProductDeleted message, EventContext context, CancellationToken cancellationToken) => productInfo.ForgetAsync(message.ProductId);
}
