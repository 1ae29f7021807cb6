using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Prometheus;

namespace GoMicro.ServiceDefaults.Grpc;

/// <summary>
/// grpc_server_* metrics with the label names of go-grpc-prometheus, so standard dashboards
/// work. Transcoded HTTP calls are counted too: they are the same RPCs.
/// </summary>
internal sealed class MetricsInterceptor : Interceptor
{
    private static readonly string[] Labels = ["grpc_service", "grpc_method", "grpc_code"];

    private static readonly Counter Handled = Metrics.CreateCounter(
        "grpc_server_handled_total", "RPCs completed on the server, by status code.", Labels);

    private static readonly Histogram Duration = Metrics.CreateHistogram(
        "grpc_server_handling_seconds", "Time to handle an RPC, by status code.",
        new HistogramConfiguration
        {
            LabelNames = Labels,
            Buckets = Histogram.ExponentialBuckets(0.001, 2, 14),
        });

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException ex)
        {
            code = ex.StatusCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            code = StatusCode.Cancelled;
            throw;
        }
        catch
        {
            code = StatusCode.Unknown;
            throw;
        }
        finally
        {
            var (service, method) = Split(context.Method);
            var labels = new[] { service, method, code.ToString() };
            Handled.WithLabels(labels).Inc();
            Duration.WithLabels(labels).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private static (string Service, string Method) Split(string fullMethod)
    {
        // "/gomicro.users.v1.UsersService/Login"
        var slash = fullMethod.LastIndexOf('/');
        return slash <= 0 ? (fullMethod, "") : (fullMethod[1..slash], fullMethod[(slash + 1)..]);
    }
}
