using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace GoMicro.ServiceDefaults.Hosting;

internal static class KestrelSetup
{
    public static void ConfigureListenPorts(this IWebHostBuilder webHost)
    {
        webHost.ConfigureKestrel((context, kestrel) =>
        {
            var listen = context.Configuration.GetSection(ListenOptions.Section).Get<ListenOptions>() ?? new ListenOptions();
            var address = IPAddress.Parse(listen.Address);
            kestrel.Listen(address, listen.HttpPort, o => o.Protocols = HttpProtocols.Http1);
            kestrel.Listen(address, listen.GrpcPort, o => o.Protocols = HttpProtocols.Http2);
            kestrel.AddServerHeader = false;
        });
    }
}
