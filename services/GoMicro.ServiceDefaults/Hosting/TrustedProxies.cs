using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;

namespace GoMicro.ServiceDefaults.Hosting;

/// <summary>
/// Which peers may say who the client is. Network:TrustedProxies (Network__TrustedProxies) lists
/// addresses (10.0.0.7) and networks (10.244.0.0/16), separated by commas or spaces, or as
/// Network__TrustedProxies__0, __1, …. Only a request whose connection comes from one of them has
/// its X-Forwarded-For honoured, and then only back to the first address that is not trusted
/// itself: whatever a client wrote into the header further left is never believed. Empty (the
/// default) trusts no one: the client is the connection's remote address.
/// </summary>
public static class TrustedProxies
{
    public const string Key = "Network:TrustedProxies";

    public static string Variable => MissingConfigurationException.ToEnvironmentName(Key);

    /// <summary>The configured proxies and networks; a start-up failure naming the variable for an entry that is neither.</summary>
    public static (IReadOnlyList<IPAddress> Proxies, IReadOnlyList<System.Net.IPNetwork> Networks) Parse(IConfiguration configuration)
    {
        var section = configuration.GetSection(Key);
        var entries = new[] { section.Value }
            .Concat(section.GetChildren().Select(c => c.Value))
            .SelectMany(v => (v ?? "").Split([',', ';', ' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var proxies = new List<IPAddress>();
        var networks = new List<System.Net.IPNetwork>();
        foreach (var entry in entries)
        {
            if (entry.Contains('/', StringComparison.Ordinal) && System.Net.IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                proxies.Add(address);
            }
            else
            {
                throw new InvalidOperationException(
                    $"Invalid configuration: {Variable} (configuration key '{Key}') holds '{entry}', which is neither an IP address (10.0.0.7) nor a network in CIDR form (10.244.0.0/16).");
            }
        }
        return (proxies, networks);
    }

    /// <summary>
    /// ASP.NET Core's forwarded-headers middleware for X-Forwarded-For, trusting exactly the
    /// configured proxies (its built-in loopback defaults removed). Nothing at all when none are
    /// configured: the middleware with empty lists would believe every peer. Call it first, so
    /// everything after it (logging, rate limiting, handlers) sees the same client address.
    /// </summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        var (proxies, networks) = Parse(app.Configuration);
        if (proxies.Count == 0 && networks.Count == 0)
        {
            return app;
        }
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor,
            // Walk the header right to left while the hop that added an entry is trusted; stop at
            // the first untrusted one (that is the client). A chain of trusted proxies is fine.
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            options.KnownProxies.Add(proxy);
        }
        foreach (var network in networks)
        {
            options.KnownIPNetworks.Add(network);
        }
        app.UseForwardedHeaders(options);
        return app;
    }
}
