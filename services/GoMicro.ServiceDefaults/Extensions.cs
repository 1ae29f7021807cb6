using GoMicro.ServiceDefaults.Auth;
using GoMicro.ServiceDefaults.Grpc;
using GoMicro.ServiceDefaults.Health;
using GoMicro.ServiceDefaults.Hosting;
using GoMicro.ServiceDefaults.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Prometheus;
using Serilog;

namespace GoMicro.ServiceDefaults;

public static class Extensions
{
    /// <summary>
    /// Everything a GoMicro service shares: Kestrel on the HTTP/1.1 and h2c ports, JSON logs,
    /// tracing, gRPC with JSON transcoding, reflection and health, JWT validation, and the
    /// error and metrics interceptors. Each service then adds only its own parts.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.WebHost.ConfigureListenPorts();
        builder.Services.AddJsonLogging(serviceName);
        builder.Services.AddTracing(builder.Configuration, serviceName);
        builder.Services.AddDefaultHealthChecks();
        builder.Services.AddJwtAuthentication(builder.Configuration);

        builder.Services.TryAddSingleton<DependencyFailures>();
        builder.Services
            .AddGrpc(options =>
            {
                options.EnableDetailedErrors = false;
                options.Interceptors.Add<MetricsInterceptor>();
                options.Interceptors.Add<ErrorInterceptor>();
            })
            .AddJsonTranscoding();
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcOpenApi(serviceName);
        return builder;
    }

    /// <summary>
    /// The shared middleware and endpoints: request logging, HTTP metrics, authentication,
    /// /healthz/live, /healthz/ready, grpc.health.v1, reflection, /metrics, and in Development
    /// the OpenAPI document (/openapi/v1.json).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseSerilogRequestLogging(o => o.GetLevel = RequestLogLevel.Of);
        app.UseRouting();
        app.UseHttpMetrics();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthEndpoints();
        app.MapMetrics();
        app.MapGrpcReflectionService();
        app.MapOpenApiInDevelopment();
        return app;
    }
}
