using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace GoMicro.ServiceDefaults.Observability;

internal static class TracingSetup
{
    /// <summary>The ActivitySource prefix of our own spans (messaging, saga steps).</summary>
    public const string SourcePrefix = "GoMicro.";

    /// <summary>
    /// W3C trace context (OpenTelemetry's default propagator) across HTTP, gRPC and, through
    /// message headers, RabbitMQ. Spans leave the process only when an OTLP endpoint is set.
    /// </summary>
    public static void AddTracing(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceNamespace: "gomicro"))
            .WithTracing(tracing =>
            {
                tracing
                    .AddAspNetCoreInstrumentation(o => o.Filter = context =>
                        !context.Request.Path.StartsWithSegments("/healthz") && !context.Request.Path.StartsWithSegments("/metrics"))
                    .AddHttpClientInstrumentation()
                    .AddSource("Npgsql")
                    .AddSource(SourcePrefix + "*");
                if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
                {
                    tracing.AddOtlpExporter();
                }
            });
    }
}
