using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace GoMicro.ServiceDefaults.Grpc;

/// <summary>
/// Where our HTTP status for a gRPC status differs from JSON transcoding's built-in table
/// (google.rpc's mapping). DESIGN.md promises 412 for a failed precondition, where the
/// built-in table says 400; and a few errors carry their own HTTP status in a trailer
/// (422 for an idempotency key reused with a different request).
/// </summary>
internal static class HttpStatusMapping
{
    public const string Trailer = "x-http-status";

    public static int? Override(RpcException exception) =>
        exception.Trailers.GetValue(Trailer) is { } status && int.TryParse(status, CultureInfo.InvariantCulture, out var code)
            ? code
            : exception.StatusCode switch
            {
                StatusCode.FailedPrecondition => StatusCodes.Status412PreconditionFailed,
                _ => null,
            };
}
