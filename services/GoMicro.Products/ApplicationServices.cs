using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Products.Catalog;
using GoMicro.Products.Infrastructure;
using GoMicro.Products.Inventory;
using GoMicro.ServiceDefaults.Auth;

namespace GoMicro.Products;

public static class ApplicationServices
{
    public const string ServiceName = ServiceDefaults.ServiceNames.Products;

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddPostgresDbContext<ProductsDbContext>();
        builder.AddCatalogCache();
        builder.AddRabbitMqMessaging(ServiceName)
            .AddOutbox<ProductsDbContext>()
            .AddEfInbox<ProductsDbContext>()
            .AddSubscription<PaymentSucceeded, PaymentSucceededHandler>()
            .AddSubscription<PaymentFailed, PaymentFailedHandler>();
        builder.Services.AddScoped<StockReservations>();
        builder.Services.AddServiceKeyPolicy(builder.Configuration, ServiceKeys.Payments, ServiceKeys.PaymentsPolicy);
        builder.Services.Configure<ReservationOptions>(builder.Configuration.GetSection("Products:Reservations"));
        builder.Services.AddHostedService<ReservationExpiry>();
        builder.Services.AddSingleton<StockAnnouncer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StockAnnouncer>());
        builder.Services.AddHostedService<SampleCatalog>();
        builder.Services.AddHostedService<CatalogWarmup>();
        return builder;
    }

    /// <summary>The in-memory catalog read model and what keeps it current (see <see cref="ProductCache"/>).</summary>
    private static void AddCatalogCache(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ProductCacheOptions.Section);
        builder.Services.Configure<ProductCacheOptions>(section);
        builder.Services.AddSingleton<ProductCache>();
        builder.Services.AddSingleton<CommitHooks>();
        builder.Services.ConfigureDbContext<ProductsDbContext>((services, options) => options.AddInterceptors(services.GetRequiredService<CommitHooks>()));
        builder.Services.AddScoped<CatalogReads>();
        if (section.Get<ProductCacheOptions>()?.Enabled ?? true)
        {
            // Without the listener the cache never serves: every read goes to PostgreSQL.
            builder.Services.AddHostedService<ProductChangeListener>();
        }
    }

    public static WebApplication MapProductsApi(this WebApplication app)
    {
        app.MapGrpcService<ProductsGrpcService>();
        return app;
    }
}
