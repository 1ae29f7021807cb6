using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GoMicro.ServiceDefaults.Grpc;

/// <summary>
/// Turns what a handler throws into the status a caller should see: a dependency that is
/// down is UNAVAILABLE (503), never a 500; anything unexpected is logged with its stack and
/// answered INTERNAL without details. For transcoded HTTP calls it also applies our few
/// HTTP status overrides.
/// </summary>
internal sealed partial class ErrorInterceptor(DependencyFailures dependencyFailures, ILogger<ErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException ex)
        {
            OverrideHttpStatus(context, ex);
            throw;
        }
        catch (Exception ex) when (dependencyFailures.IsDependencyFailure(ex))
        {
            LogDependencyDown(logger, context.Method, ex.GetBaseException().Message);
            throw new RpcException(new Status(StatusCode.Unavailable, "A dependency of this service is unavailable; try again shortly."));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnhandled(logger, context.Method, ex);
            throw new RpcException(new Status(StatusCode.Internal, "Internal error."));
        }
    }

    private static void OverrideHttpStatus(ServerCallContext context, RpcException exception)
    {
        var http = context.GetHttpContext();
        if (http.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true
            || HttpStatusMapping.Override(exception) is not { } status)
        {
            return;
        }
        http.Response.OnStarting(() =>
        {
            http.Response.StatusCode = status;
            return Task.CompletedTask;
        });
    }

    /// <summary>The database failures start-up steps wait out (<see cref="Hosting.StartupRetry"/>).</summary>
    internal static bool IsDependencyFailure(Exception exception) => DependencyFailures.IsCommonDependencyFailure(exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method}: dependency unavailable: {Reason}")]
    private static partial void LogDependencyDown(ILogger logger, string method, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method}: unhandled exception")]
    private static partial void LogUnhandled(ILogger logger, string method, Exception exception);
}
