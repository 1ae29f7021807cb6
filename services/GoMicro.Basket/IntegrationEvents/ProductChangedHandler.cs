using GoMicro.Basket.Catalog;
using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Messaging.Consuming;

namespace GoMicro.Basket.IntegrationEvents;

/// <summary>Drops the cached product so the next basket read shows the new name, price or availability. Idempotent.</summary>
public sealed class ProductChangedHandler(ProductCatalog catalog) : IIntegrationEventHandler<ProductUpdated>, IIntegrationEventHandler<ProductDeleted>
{
    public Task HandleAsync(ProductUpdated message, EventContext context, CancellationToken cancellationToken) => catalog.ForgetAsync(message.ProductId);

    public Task HandleAsync(ProductDeleted message, EventContext context, CancellationToken cancellationToken) => catalog.ForgetAsync(message.ProductId);
}
