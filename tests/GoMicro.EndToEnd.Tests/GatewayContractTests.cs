using GoMicro.Testing;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// The gateway config against the running services: each endpoint's backend route exists
/// in its service, every public route of every service is exposed exactly once, and the
/// gateway asks for at least the authentication the service itself enforces.
/// </summary>
public sealed class GatewayContractTests(ShopFixture shop) : IClassFixture<ShopFixture>
{
    private sealed record Endpoint(string Method, string Path, string Service, string BackendPath, bool Authenticated, bool Admin);

    private static List<Endpoint> GatewayEndpoints()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(OfflineSchemas.RepositoryRoot, "krakend", "krakend.json")));
        return [.. config.RootElement.GetProperty("endpoints").EnumerateArray().Select(e =>
        {
            var backend = e.GetProperty("backend")[0];
            var host = new Uri(backend.GetProperty("host")[0].GetString()!);
            var auth = e.GetProperty("extra_config").TryGetProperty("auth/validator", out var validator);
            return new Endpoint(e.GetProperty("method").GetString()!, e.GetProperty("endpoint").GetString()!, host.Host,
                backend.GetProperty("url_pattern").GetString()!, auth,
                auth && validator.TryGetProperty("roles", out var roles) && roles.EnumerateArray().Any(r => r.GetString() == "admin"));
        })];
    }

    private HashSet<string> ServiceRoutes(string service) =>
        [.. shop.ServiceProviders[service].GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.StartsWith("/healthz", StringComparison.Ordinal) && raw != "/metrics" && !raw.StartsWith("/.well-known", StringComparison.Ordinal)
                && !raw.Contains('.', StringComparison.Ordinal) && !raw.StartsWith("/grpc.", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {e.RoutePattern.RawText}"))];

    [Fact]
    public void Every_backend_route_exists_and_every_service_route_is_exposed_once()
    {
        var endpoints = GatewayEndpoints();
        foreach (var service in shop.ServiceProviders.Keys)
        {
            var routes = ServiceRoutes(service);
            var exposed = endpoints.Where(e => e.Service == service).Select(e => $"{e.Method} {e.BackendPath}").ToList();
            Assert.All(exposed, route => Assert.Contains(route, routes));
            Assert.All(routes, route => Assert.Single(exposed, e => e == route));
        }
        Assert.Equal(endpoints.Count, endpoints.Select(e => $"{e.Method} {e.Path}").Distinct().Count());
    }

    [Fact]
    public async Task The_gateway_demands_the_authentication_each_service_enforces()
    {
        var customer = (await shop.NewCustomerAsync()).Token;
        foreach (var endpoint in GatewayEndpoints())
        {
            var client = shop.ClientFor(endpoint.Service);
            var path = endpoint.BackendPath.Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{product_id}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
            var method = new HttpMethod(endpoint.Method);
            var body = method == HttpMethod.Get || method == HttpMethod.Delete ? null : new { };

            var anonymous = (await ShopFixture.SendAsync(client, method, path, null, body)).Response.StatusCode;
            var asCustomer = (await ShopFixture.SendAsync(client, method, path, customer, body)).Response.StatusCode;

            if (anonymous == HttpStatusCode.Unauthorized)
            {
                Assert.True(endpoint.Authenticated, $"{endpoint.Method} {endpoint.Path}: the service wants a token, the gateway does not check one");
            }
            if (asCustomer == HttpStatusCode.Forbidden)
            {
                Assert.True(endpoint.Admin, $"{endpoint.Method} {endpoint.Path}: the service wants an admin, the gateway does not check the role");
            }
            if (endpoint.Authenticated)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous);
            }
            if (endpoint.Admin)
            {
                Assert.Equal(HttpStatusCode.Forbidden, asCustomer);
            }
        }
    }
}
