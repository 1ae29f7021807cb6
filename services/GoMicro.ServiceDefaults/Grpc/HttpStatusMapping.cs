using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace GoMicro.ServiceDefaults.Grpc;

/// <summary>
/// Where our HTTP status for a gRPC status differs from JSON transcoding's built-in table
/// (google.rpc's mapping). DESIGN.md promises 412 for a failed precondition, where the
/// built-in table says 400.
/// </summary>
internal static class HttpStatusMapping
{
    public static int? Override(StatusCode code) => code switch
    {
        StatusCode.FailedPrecondition => StatusCodes.Status412PreconditionFailed,
        _ => null,
    };
}
