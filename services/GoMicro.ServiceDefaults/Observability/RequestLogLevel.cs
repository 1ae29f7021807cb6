using Microsoft.AspNetCore.Http;
using Serilog.Events;

namespace GoMicro.ServiceDefaults.Observability;

/// <summary>
/// The level of each request's log line. A fast, successful read is the hot path (product
/// pages, baskets, and the services' gRPC calls to each other): writing a JSON line for each
/// would cost more than answering it, and /metrics counts them anyway, so those are Debug (not
/// written at the default Information). HTTP writes, refusals, slow calls and failures are
/// always written.
/// </summary>
public static class RequestLogLevel
{
    public static readonly TimeSpan SlowRead = TimeSpan.FromMilliseconds(500);

    public static LogEventLevel Of(HttpContext context, double elapsedMilliseconds, Exception? exception)
    {
        if (exception is not null || context.Response.StatusCode >= 500)
        {
            return LogEventLevel.Error;
        }
        if (context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/metrics"))
        {
            return LogEventLevel.Verbose;
        }
        var fast = elapsedMilliseconds < SlowRead.TotalMilliseconds;
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            return fast && GrpcStatus(context) == "0" ? LogEventLevel.Debug : LogEventLevel.Information;
        }
        var read = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        return read && fast && context.Response.StatusCode < 400 ? LogEventLevel.Debug : LogEventLevel.Information;
    }

    /// <summary>A gRPC call's status: in the trailers, or in the headers of a trailers-only answer.</summary>
    private static string? GrpcStatus(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseTrailersFeature>()?.Trailers["grpc-status"].FirstOrDefault()
        ?? context.Response.Headers["grpc-status"].FirstOrDefault();
}
