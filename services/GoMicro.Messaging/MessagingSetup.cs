using GoMicro.Messaging.Connection;
using GoMicro.Messaging.Consuming;
using GoMicro.Messaging.Inbox;
using GoMicro.Messaging.Outbox;
using GoMicro.ServiceDefaults.Data;
using GoMicro.ServiceDefaults.Grpc;
using GoMicro.ServiceDefaults.Health;
using GoMicro.ServiceDefaults.Hosting;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client.Exceptions;

namespace GoMicro.Messaging;

public static class MessagingSetup
{
    private static readonly TimeSpan RabbitMqProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The RabbitMQ connection (RabbitMq__Uri, required) and its health check.
    /// <paramref name="serviceName"/> names the service's queues. The broker is a dependency
    /// of background work only (the outbox holds events while it is down), so its checks are
    /// reported on /healthz and never take the service out of readiness.
    /// </summary>
    public static MessagingBuilder AddRabbitMqMessaging(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Configuration.GetRequired("RabbitMq:Uri");
        builder.Services.Configure<RabbitMqOptions>(builder.Configuration.GetSection(RabbitMqOptions.Section));
        builder.Services.AddSingleton(new ServiceIdentity(serviceName));
        builder.Services.AddSingleton<RabbitMqConnection>();
        builder.Services.TryAddSingleton(EventRoutes.Shop);
        builder.Services.AddSingleton<FailureClassifier>();
        // A handler that finds the broker down answers UNAVAILABLE (503), not INTERNAL.
        builder.Services.AddDependencyFailure<BrokerUnreachableException>().AddDependencyFailure<AlreadyClosedException>();
        // The library's check opens and closes a channel on the service's own connection (never a
        // connection of its own per probe): unhealthy while the broker is unreachable or the
        // connection is being recovered. The first connect is bounded like the probe.
        builder.Services.AddHealthChecks().AddRabbitMQ(
            async services =>
            {
                using var timeout = new CancellationTokenSource(RabbitMqProbeTimeout);
                return await services.GetRequiredService<RabbitMqConnection>().GetAsync(timeout.Token);
            },
            name: "rabbitmq",
            tags: [HealthTags.Background],
            timeout: RabbitMqProbeTimeout);
        builder.Services.AddSingleton(TimeProvider.System);
        return new MessagingBuilder(builder.Services);
    }
}

public sealed class MessagingBuilder(IServiceCollection services)
{
    private EventSubscriptions? _subscriptions;

    /// <summary>Publishes what is written with DbContext.AddEvent, from TContext's outbox table.</summary>
    public MessagingBuilder AddOutbox<TContext>() where TContext : DbContext
    {
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxSignalInterceptor>();
        services.ConfigureDbContext<TContext>((provider, options) => options.AddInterceptors(provider.GetRequiredService<OutboxSignalInterceptor>()));
        services.AddHostedService<OutboxDispatcher<TContext>>();
        services.AddRetentionRule<TContext>(new RetentionRule("Outbox", "outbox_messages", "sent_at", null, TimeSpan.FromDays(7)));
        return this;
    }

    /// <summary>De-duplicates consumed messages in TContext's inbox table, in the handler's transaction.</summary>
    public MessagingBuilder AddEfInbox<TContext>() where TContext : DbContext
    {
        services.AddScoped<IInbox, EfInbox<TContext>>();
        // A message redelivered after this is handled again: every handler is also idempotent
        // by the state it changes (a reservation, a payment's status), so that changes nothing.
        services.AddRetentionRule<TContext>(new RetentionRule("Inbox", "inbox_messages", "handled_at", null, TimeSpan.FromDays(7)));
        return this;
    }

    /// <summary>For handlers that are idempotent by themselves (no database to keep an inbox in).</summary>
    public MessagingBuilder AddIdempotentHandlers()
    {
        services.AddScoped<IInbox, HandlerOwnedInbox>();
        return this;
    }

    /// <summary>Consumes TEvent from the service's queue with THandler.</summary>
    public MessagingBuilder AddSubscription<TEvent, THandler>()
        where TEvent : IMessage<TEvent>, new()
        where THandler : class, IIntegrationEventHandler<TEvent>
    {
        if (_subscriptions is null)
        {
            _subscriptions = new EventSubscriptions();
            services.AddSingleton(_subscriptions);
            services.AddHostedService<EventConsumer>();
            services.AddHostedService<ConsumerGauges>();
            services.AddHealthChecks().AddCheck<ConsumerHealthCheck>("rabbitmq-consumer", tags: [HealthTags.Background]);
        }
        _subscriptions.Add<TEvent, THandler>();
        services.TryAddScoped<THandler>();
        return this;
    }

    /// <summary>Handler failures of this type mean a dependency is unavailable: retried for as long as it lasts.</summary>
    public MessagingBuilder TreatAsTransient<TException>() where TException : Exception
    {
        services.AddSingleton(new TransientException(typeof(TException)));
        return this;
    }
}

