using System.Security.Cryptography;
using System.Text;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GoMicro.ServiceDefaults.Auth;

/// <summary>
/// A key that one service presents to another, so a route meant for a service (payments
/// reserving stock in products) is refused to a customer who reaches the service directly
/// inside the cluster with a valid token of their own. The caller still forwards the buyer's
/// token: the key says which service calls, the token says for whom.
/// </summary>
public static class ServiceKeys
{
    /// <summary>The gRPC metadata (HTTP header) that carries the key.</summary>
    public const string Header = "gomicro-service-key";

    /// <summary>Configuration section: <c>ServiceKeys:Payments</c> is the key payments presents.</summary>
    public const string Section = "ServiceKeys";

    /// <summary>Shorter keys are refused at start-up: the operator generates 64 hexadecimal characters.</summary>
    public const int MinimumLength = 32;

    /// <summary>The policy of routes only payments may call (on behalf of a signed-in buyer).</summary>
    public const string PaymentsPolicy = "service:payments";

    public const string Payments = "Payments";

    /// <summary>The key <paramref name="service"/> presents, read from its required setting and checked for length.</summary>
    public static string Read(IConfiguration configuration, string service)
    {
        var key = configuration.GetRequired($"{Section}:{service}");
        if (key.Length < MinimumLength)
        {
            throw new InvalidOperationException(
                $"{MissingConfigurationException.ToEnvironmentName($"{Section}:{service}")} must be at least {MinimumLength} characters (generate one with: openssl rand -hex 32).");
        }
        return key;
    }

    /// <summary>Registers the policy that admits a signed-in caller only when the request carries <paramref name="service"/>'s key.</summary>
    public static void AddServiceKeyPolicy(this IServiceCollection services, IConfiguration configuration, string service, string policy)
    {
        var requirement = new ServiceKeyRequirement(Read(configuration, service));
        services.AddSingleton<IAuthorizationHandler, ServiceKeyHandler>();
        services.AddAuthorizationBuilder().AddPolicy(policy, p => p.RequireAuthenticatedUser().AddRequirements(requirement));
    }

    /// <summary>A handler for an HTTP client (gRPC included) that adds <paramref name="service"/>'s key to every request.</summary>
    public static IHttpClientBuilder PresentServiceKey(this IHttpClientBuilder client, IConfiguration configuration, string service)
    {
        var key = Read(configuration, service);
        return client.AddHttpMessageHandler(() => new PresentKeyHandler(key));
    }

    private sealed class PresentKeyHandler(string key) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // A retry (the resilience handler in front) sends the same request again: one key, not two.
            request.Headers.Remove(Header);
            request.Headers.TryAddWithoutValidation(Header, key);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

internal sealed class ServiceKeyRequirement(string key) : IAuthorizationRequirement
{
    // Compared as hashes so the comparison takes the same time whatever the presented length.
    private readonly byte[] _hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}

internal sealed class ServiceKeyHandler : AuthorizationHandler<ServiceKeyRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ServiceKeyRequirement requirement)
    {
        // Endpoint routing (gRPC and its JSON transcoding) hands the HttpContext in as the resource.
        if (context.Resource is HttpContext http && http.Request.Headers.TryGetValue(ServiceKeys.Header, out var values)
            && values.Count == 1 && requirement.Matches(values[0]))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
