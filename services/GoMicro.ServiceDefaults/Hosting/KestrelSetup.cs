using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace GoMicro.ServiceDefaults.Hosting;

public static class KestrelSetup
{
    /// <param name="grpc">Whether to open the h2c gRPC port too; the operator serves only health and metrics.</param>
    public static void ConfigureListenPorts(this IWebHostBuilder webHost, bool grpc = true)
    {
        webHost.ConfigureKestrel((context, kestrel) =>
        {
            var listen = context.Configuration.GetSection(ListenOptions.Section).Get<ListenOptions>() ?? new ListenOptions();
            var address = IPAddress.Parse(listen.Address);
            kestrel.Listen(address, listen.HttpPort, o => o.Protocols = HttpProtocols.Http1);
            if (grpc)
            {
                kestrel.Listen(address, listen.GrpcPort, o => o.Protocols = HttpProtocols.Http2);
            }
            kestrel.AddServerHeader = false;
        });
    }
}
