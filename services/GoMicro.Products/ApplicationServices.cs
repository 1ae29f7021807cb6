using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Products.Catalog;
using GoMicro.Products.Infrastructure;
using GoMicro.Products.Inventory;
using GoMicro.ServiceDefaults.Auth;

namespace GoMicro.Products;

public static class ApplicationServices
{
    public const string ServiceName = "products";

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddPostgresDbContext<ProductsDbContext>();
        builder.AddRabbitMqMessaging(ServiceName)
            .AddOutbox<ProductsDbContext>()
            .AddEfInbox<ProductsDbContext>()
            .AddSubscription<PaymentSucceeded, PaymentSucceededHandler>()
            .AddSubscription<PaymentFailed, PaymentFailedHandler>();
        builder.Services.AddScoped<StockReservations>();
        builder.Services.AddServiceKeyPolicy(builder.Configuration, ServiceKeys.Payments, ServiceKeys.PaymentsPolicy);
        builder.Services.Configure<ReservationOptions>(builder.Configuration.GetSection("Products:Reservations"));
        builder.Services.AddHostedService<ReservationExpiry>();
        builder.Services.AddHostedService<SampleCatalog>();
        builder.Services.AddHostedService<CatalogWarmup>();
        return builder;
    }

    public static WebApplication MapProductsApi(this WebApplication app)
    {
        app.MapGrpcService<ProductsGrpcService>();
        return app;
    }
}
