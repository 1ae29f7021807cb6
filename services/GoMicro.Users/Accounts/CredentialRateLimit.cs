using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using GoMicro.ServiceDefaults.Hosting;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace GoMicro.Users.Accounts;

/// <summary>
/// ASP.NET Core's rate limiter on the anonymous endpoints that hash a password (Register and
/// Login carry <c>[EnableRateLimiting(Policy)]</c>): a token bucket per client address
/// (<see cref="ClientAddress"/>), in memory per replica, answering before any work is done. The
/// service does this itself because it is reachable inside the cluster without the gateway.
/// Past the limit: HTTP 429 with Retry-After and a JSON status like transcoding's; over gRPC,
/// RESOURCE_EXHAUSTED with Retry-After and grpc-retry-pushback-ms.
/// </summary>
public static class CredentialRateLimit
{
    public const string Policy = "credentials";

    public static IServiceCollection AddCredentialRateLimit(this IServiceCollection services) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Policy, http =>
            {
                var bucket = http.RequestServices.GetRequiredService<IOptions<ThrottlingOptions>>().Value.RateLimits.Credentials;
                return RateLimitPartition.GetTokenBucketLimiter(ClientAddress.Of(http), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = bucket.TokenLimit,
                    TokensPerPeriod = bucket.TokensPerPeriod,
                    ReplenishmentPeriod = bucket.ReplenishmentPeriod,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = RejectAsync;
        });

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        var message = $"Too many requests from this address; try again in {seconds} seconds.";
        var method = http.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.Name ?? "unknown";
        UsersMetrics.RateLimited.WithLabels(method).Inc();

        var response = http.Response;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (http.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            // A trailers-only gRPC response: HTTP 200 whose headers carry the status (a bare 429
            // would reach gRPC clients as UNAVAILABLE).
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = ((int)StatusCode.ResourceExhausted).ToString(CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = message;
            response.Headers["grpc-retry-pushback-ms"] = (seconds * 1000L).ToString(CultureInfo.InvariantCulture);
            return;
        }
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(response.Body, new { code = (int)StatusCode.ResourceExhausted, message, details = Array.Empty<object>() }, cancellationToken: cancellationToken);
    }
}
