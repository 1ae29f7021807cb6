using GoMicro.Basket.Baskets;
using GoMicro.Basket.Catalog;
using GoMicro.Basket.Infrastructure;
using GoMicro.Basket.IntegrationEvents;
using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Products.V1;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.Extensions.Http.Resilience;

namespace GoMicro.Basket;

public static class ApplicationServices
{
    public const string ServiceName = "basket";

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<BasketOptions>(builder.Configuration.GetSection(BasketOptions.Section));
        builder.AddRedis();
        builder.Services.AddSingleton<BasketStore>();
        builder.Services.AddSingleton<ProductCatalog>();
        builder.AddProductsClient();

        builder.AddRabbitMqMessaging(ServiceName)
            .AddIdempotentHandlers()
            .AddSubscription<ProductUpdated, ProductChangedHandler>()
            .AddSubscription<ProductDeleted, ProductChangedHandler>()
            .AddSubscription<PaymentSucceeded, PaymentSucceededHandler>();
        return builder;
    }

    public static WebApplication MapBasketApi(this WebApplication app)
    {
        app.MapGrpcService<BasketGrpcService>();
        return app;
    }

    /// <summary>
    /// The gRPC client to products, behind Polly (Microsoft.Extensions.Http.Resilience): a
    /// short per-try timeout, jittered retries (every call basket makes is a read), a circuit
    /// breaker, and an overall budget under one second, so a products outage costs callers a
    /// fast 503 rather than a hang. Overridable under Services:Products:Resilience.
    /// </summary>
    private static void AddProductsClient(this WebApplicationBuilder builder)
    {
        var address = new Uri(builder.Configuration.GetRequired("Services:Products:Grpc"));
        var resilience = builder.Services
            .AddGrpcClient<ProductsService.ProductsServiceClient>(o => o.Address = address)
            .AddStandardResilienceHandler();
        resilience.Configure(o =>
        {
            o.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(300);
            o.TotalRequestTimeout.Timeout = TimeSpan.FromMilliseconds(800);
            o.Retry.MaxRetryAttempts = 2;
            o.Retry.Delay = TimeSpan.FromMilliseconds(50);
            o.Retry.UseJitter = true;
            o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(10);
            o.CircuitBreaker.MinimumThroughput = 10;
            o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(5);
        });
        resilience.Configure(builder.Configuration.GetSection("Services:Products:Resilience"));
    }
}
