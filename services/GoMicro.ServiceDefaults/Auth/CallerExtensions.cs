using System.Security.Claims;
using Grpc.Core;

namespace GoMicro.ServiceDefaults.Auth;

public static class CallerExtensions
{
    /// <summary>The authenticated caller's user id (the token's "sub").</summary>
    public static Guid GetUserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimNames.Subject), out var id)
            ? id
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "The access token has no valid subject."));

    public static Guid GetUserId(this ServerCallContext context) => context.GetHttpContext().User.GetUserId();

    public static bool IsAdmin(this ServerCallContext context) => context.GetHttpContext().User.IsInRole(Roles.Admin);
}
