using GoMicro.Basket.V1;
using GoMicro.Events.V1;
using GoMicro.Messaging;
using GoMicro.Payments.Checkout;
using GoMicro.Payments.Infrastructure;
using GoMicro.Payments.Providers;
using GoMicro.Payments.Refunds;
using GoMicro.Products.V1;
using GoMicro.ServiceDefaults.Auth;

namespace GoMicro.Payments;

public static class ApplicationServices
{
    public const string ServiceName = ServiceDefaults.ServiceNames.Payments;

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddPostgresDbContext<PaymentsDbContext>();
        builder.AddRabbitMqMessaging(ServiceName)
            .AddOutbox<PaymentsDbContext>()
            .AddEfInbox<PaymentsDbContext>()
            .AddSubscription<StockReservationFailed, StockReservationFailedHandler>()
            .TreatAsTransient<PaymentProviderUnavailableException>();

        // Basket answers GetBasket within its own sub-second budget towards products, so the
        // budget towards basket is larger; checkout is not a sub-second operation anyway.
        builder.AddServiceClient<BasketService.BasketServiceClient>("Basket", TimeSpan.FromSeconds(3));
        builder.AddServiceClient<ProductsService.ProductsServiceClient>("Products", TimeSpan.FromSeconds(3))
            .PresentServiceKey(builder.Configuration, ServiceKeys.Payments);
        builder.Services.AddScoped<BasketPricer>();
        builder.Services.AddScoped<StockHold>();
        builder.Services.AddScoped<PaymentSettlement>();
        builder.Services.AddScoped<CheckoutService>();
        builder.Services.AddSingleton(builder.Configuration.GetSection("Payments:Checkout").Get<CheckoutOptions>() ?? new CheckoutOptions());

        var providerOptions = builder.Configuration.GetSection("Payments:Provider").Get<ProviderOptions>() ?? new ProviderOptions();
        builder.AddTestPaymentProcessor();
        builder.Services.AddSingleton<IPaymentProvider>(sp => new ResilientPaymentProvider(sp.GetRequiredService<TestPaymentProcessor>(), providerOptions));
        var recovery = builder.Configuration.GetSection("Payments:Recovery").Get<RecoveryOptions>() ?? new RecoveryOptions();
        if (recovery.StaleAfter < 2 * providerOptions.WorstCase)
        {
            // Recovery must never settle a payment whose charge may still be in flight.
            throw new InvalidOperationException(
                $"Payments__Recovery__StaleAfter ({recovery.StaleAfter}) must be at least twice the provider's worst case ({providerOptions.WorstCase}: Payments__Provider__AttemptTimeout × (MaxRetries + 1) plus back-off)");
        }
        builder.Services.Configure<RecoveryOptions>(builder.Configuration.GetSection("Payments:Recovery"));
        builder.Services.AddHostedService<PendingPaymentRecovery>();
        builder.Services.AddSingleton<RefundWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RefundWorker>());
        return builder;
    }

    public static WebApplication MapPaymentsApi(this WebApplication app)
    {
        app.MapGrpcService<PaymentsGrpcService>();
        return app;
    }
}
