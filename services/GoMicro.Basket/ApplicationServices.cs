using GoMicro.Basket.Infrastructure;
using GoMicro.Basket.Items;
using GoMicro.Basket.ProductInfo;
using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Products.V1;

namespace GoMicro.Basket;

public static class ApplicationServices
{
    public const string ServiceName = ServiceDefaults.ServiceNames.Basket;

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<BasketOptions>(builder.Configuration.GetSection(BasketOptions.Section));
        builder.AddRedis();
        builder.Services.AddSingleton<BasketStore>();
        builder.Services.AddSingleton<ProductInfoCache>();
        builder.AddServiceClient<ProductsService.ProductsServiceClient>("Products");

        builder.AddRabbitMqMessaging(ServiceName)
            .AddIdempotentHandlers()
            .AddSubscription<ProductUpdated, ProductChangedHandler>()
            .AddSubscription<ProductDeleted, ProductChangedHandler>()
            .AddSubscription<PaymentSucceeded, PaymentSucceededHandler>()
            .TreatAsTransient<RedisException>();
        return builder;
    }

    public static WebApplication MapBasketApi(this WebApplication app)
    {
        app.MapGrpcService<BasketGrpcService>();
        return app;
    }
}
