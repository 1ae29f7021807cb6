using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace GoMicro.Gateway;

/// <summary>
/// Which address KrakenD takes as the client's: the key of every per-client limit
/// (qos/ratelimit/router, strategy ip), written as the "router" options.
/// <para>
/// KrakenD CE 2.13 serves requests with gin v1.12.0, whose defaults trust X-Forwarded-For and
/// X-Real-IP from every peer (gin.go:214-215, trusted proxies 0.0.0.0/0 and ::/0 at :225-226;
/// Context.ClientIP in context.go:975). lura applies the router options to that engine
/// (router/gin/engine.go:61-72 at lura 6d79b4ef723b, pinned by krakend-ce v2.13.8's go.mod;
/// "router" is the alias of lura's namespace, krakend-ce cmd/krakend-ce/main.go:90):
/// forwarded_by_client_ip is a *bool, so an explicit false is applied (:61-63), while an
/// empty trusted_proxies is ignored (:70) and leaves gin's trust-everyone default.
/// </para>
/// <para>
/// <see cref="PeerOnly"/> (the committed config): forwarded_by_client_ip false, so ClientIP()
/// is the TCP peer's address and forwarded headers are never read.
/// <see cref="Behind"/>: for a known load balancer that appends the address it saw to
/// X-Forwarded-For. Only that header is read (gin's default list also has X-Real-IP, which a
/// proxy that does not set it passes through from the client), only when the peer is one of
/// the listed proxies, and gin walks it from the right, skipping listed proxies, to the first
/// address that is not one (gin.go:482-500): what the client wrote itself stays to the left.
/// </para>
/// </summary>
public sealed class ClientAddresses
{
    public const string ForwardedForHeader = "X-Forwarded-For";

    /// <summary>The TCP peer is the client; no header is trusted.</summary>
    public static ClientAddresses PeerOnly { get; } = new([]);

    public IReadOnlyList<string> TrustedProxies { get; }

    private ClientAddresses(IReadOnlyList<string> trustedProxies) => TrustedProxies = trustedProxies;

    /// <summary>
    /// Trust X-Forwarded-For from these proxies only: IPv4 or IPv6 addresses or CIDRs, in the
    /// form Go's net.ParseIP / net.ParseCIDR read (lura discards gin's parse error, engine.go:71,
    /// so a bad entry would silently shorten the list; it is refused here instead). Trusting
    /// every address (a /0) is refused: that is the default this class exists to turn off.
    /// </summary>
    public static ClientAddresses Behind(IEnumerable<string> trustedProxies)
    {
        var proxies = trustedProxies.Select(p => p.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (proxies.Count == 0)
        {
            throw new ArgumentException("Name at least one trusted proxy, or use ClientAddresses.PeerOnly.", nameof(trustedProxies));
        }
        foreach (var proxy in proxies)
        {
            Check(proxy);
        }
        return new ClientAddresses(proxies);
    }

    private static void Check(string proxy)
    {
        var slash = proxy.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? proxy : proxy[..slash];
        if (!IsGoIp(address))
        {
            throw new ArgumentException($"Trusted proxy '{proxy}' is not an IPv4 or IPv6 address or CIDR.");
        }
        if (slash < 0)
        {
            if (IPAddress.Parse(address).Equals(IPAddress.Any) || IPAddress.Parse(address).Equals(IPAddress.IPv6Any))
            {
                throw new ArgumentException($"Trusted proxy '{proxy}' is the unspecified address, not a proxy.");
            }
            return;
        }
        // Go's net.ParseCIDR would mask 10.0.0.1/8 to 10.0.0.0/8: refused, as it may mean 10.0.0.1/32.
        if (!IPNetwork.TryParse(proxy, out var network) || !network.BaseAddress.Equals(IPAddress.Parse(address)))
        {
            throw new ArgumentException($"Trusted proxy '{proxy}' is not a CIDR (a prefix length in range, no host bits set).");
        }
        if (network.PrefixLength == 0)
        {
            throw new ArgumentException($"Trusted proxy '{proxy}' trusts every address: anyone could then choose the address their requests are limited under.");
        }
    }

    /// <summary>What Go's net.ParseIP accepts: dotted quad, or IPv6 without a zone.</summary>
    private static bool IsGoIp(string address) =>
        IPAddress.TryParse(address, out var ip) && ip.AddressFamily switch
        {
            AddressFamily.InterNetwork => address.Count(c => c == '.') == 3 && address.All(c => char.IsAsciiDigit(c) || c == '.'),
            AddressFamily.InterNetworkV6 => !address.Contains('%', StringComparison.Ordinal) && !address.Contains('[', StringComparison.Ordinal),
            _ => false,
        };

    internal JsonObject AddTo(JsonObject router)
    {
        router["forwarded_by_client_ip"] = TrustedProxies.Count > 0;
        if (TrustedProxies.Count > 0)
        {
            router["remote_ip_headers"] = new JsonArray(ForwardedForHeader);
            router["trusted_proxies"] = new JsonArray([.. TrustedProxies.Select(p => (JsonNode)p)]);
        }
        return router;
    }
}
