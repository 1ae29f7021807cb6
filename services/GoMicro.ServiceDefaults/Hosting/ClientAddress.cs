using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace GoMicro.ServiceDefaults.Hosting;

/// <summary>
/// The client a request counts against, for throttling: the connection's remote address (as
/// rewritten by <see cref="TrustedProxies"/> for a trusted proxy). An IPv4 address is itself; an
/// IPv6 address counts as its /64, the block one subscriber is usually given, so hopping through
/// one's own block does not make one a crowd. At most 45 characters.
/// </summary>
public static class ClientAddress
{
    public const int MaxLength = 45;

    public static string Of(HttpContext context) => Of(context.Connection.RemoteIpAddress);

    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }
}
