using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GoMicro.ServiceDefaults.Health;

public static class HealthTags
{
    /// <summary>The process is alive; restarting it would not help otherwise.</summary>
    public const string Live = "live";

    /// <summary>A dependency the service needs to answer requests: while it is down, the service is taken out of its load balancer.</summary>
    public const string Ready = "ready";

    /// <summary>
    /// A dependency of background work only (the broker: events wait in the outbox while it is
    /// down). Reported on /healthz and in metrics; never makes the service unready, since
    /// requests are still served.
    /// </summary>
    public const string Background = "background";
}

internal static class HealthSetup
{
    public static void AddDefaultHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [HealthTags.Live]);

        // grpc.health.v1 answers from the readiness checks, run on each Check call (no stale
        // cached result at start-up), for probes that speak gRPC.
        services.AddGrpcHealthChecks(o =>
        {
            o.Services.Map("", registration => registration.Tags.Contains(HealthTags.Ready));
            o.UseHealthChecksCache = false;
        });
    }

    public static void MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz/live", Options(HealthTags.Live));
        endpoints.MapHealthChecks("/healthz/ready", Options(HealthTags.Ready));
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteJson }); // every check, for people and dashboards
        endpoints.MapGrpcHealthChecksService();
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static HealthCheckOptions Options(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = WriteJson,
    };

    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                // Status only: a description or exception names hosts, users and errors, and
                // anyone who reaches the port can read this. The reasons are in the service's log.
                e => new { status = e.Value.Status.ToString() }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, JsonOptions, context.RequestAborted);
    }
}
