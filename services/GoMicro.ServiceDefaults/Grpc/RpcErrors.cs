using Grpc.Core;

namespace GoMicro.ServiceDefaults.Grpc;

/// <summary>
/// The errors handlers throw. Messages start with the offending field in its proto name so
/// a client can tell which input to fix ("email: must be a valid address").
/// </summary>
public static class RpcErrors
{
    public static RpcException InvalidArgument(string field, string problem) =>
        new(new Status(StatusCode.InvalidArgument, $"{field}: {problem}"));

    public static RpcException NotFound(string what) => new(new Status(StatusCode.NotFound, what));

    public static RpcException AlreadyExists(string what) => new(new Status(StatusCode.AlreadyExists, what));

    public static RpcException FailedPrecondition(string what) => new(new Status(StatusCode.FailedPrecondition, what));

    public static RpcException PermissionDenied(string what) => new(new Status(StatusCode.PermissionDenied, what));

    public static RpcException Unauthenticated(string what) => new(new Status(StatusCode.Unauthenticated, what));

    public static RpcException Aborted(string what) => new(new Status(StatusCode.Aborted, what));

    public static RpcException ResourceExhausted(string what) => new(new Status(StatusCode.ResourceExhausted, what));

    public static RpcException Unavailable(string what) => new(new Status(StatusCode.Unavailable, what));

    /// <summary>Well-formed but not acceptable in this state: INVALID_ARGUMENT over gRPC, 422 over HTTP.</summary>
    public static RpcException Unprocessable(string what) =>
        new(new Status(StatusCode.InvalidArgument, what), new Metadata { { HttpStatusMapping.Trailer, "422" } });
}
