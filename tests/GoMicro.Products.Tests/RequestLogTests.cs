using GoMicro.ServiceDefaults.Observability;
using Microsoft.AspNetCore.Http;
using Serilog.Events;

namespace GoMicro.Products.Tests;

/// <summary>
/// Fast successful reads and inter-service gRPC calls are the hot path and are not written one
/// line each (metrics count them); HTTP writes, refusals, slow calls and failures always are.
/// </summary>
public sealed class RequestLogTests
{
    private static LogEventLevel Level(string method, int status, double milliseconds = 3, string? contentType = null, string? grpcStatus = null, string path = "/products/1")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.ContentType = contentType;
        context.Response.StatusCode = status;
        if (grpcStatus is not null)
        {
            context.Response.Headers["grpc-status"] = grpcStatus;
        }
        return RequestLogLevel.Of(context, milliseconds, null);
    }

    [Fact]
    public void Only_fast_successful_reads_and_gRPC_calls_stay_below_the_default_level()
    {
        Assert.Equal(LogEventLevel.Debug, Level("GET", 200));
        Assert.Equal(LogEventLevel.Debug, Level("POST", 200, contentType: "application/grpc", grpcStatus: "0"));

        Assert.Equal(LogEventLevel.Information, Level("GET", 200, milliseconds: 800));
        Assert.Equal(LogEventLevel.Information, Level("GET", 404));
        Assert.Equal(LogEventLevel.Information, Level("DELETE", 200));
        Assert.Equal(LogEventLevel.Information, Level("POST", 200, path: "/payments"));
        Assert.Equal(LogEventLevel.Information, Level("POST", 200, contentType: "application/grpc", grpcStatus: "9"));
        Assert.Equal(LogEventLevel.Information, Level("POST", 200, milliseconds: 900, contentType: "application/grpc", grpcStatus: "0"));
        Assert.Equal(LogEventLevel.Error, Level("GET", 503));
        Assert.Equal(LogEventLevel.Verbose, Level("GET", 200, path: "/healthz/ready"));
    }
}
