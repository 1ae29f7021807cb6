using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GoMicro.Testing;

/// <summary>
/// One service running in-process on real Kestrel ports (HTTP/1.1 and h2c, as in production),
/// configured only through its configuration keys. Tests talk to it over the wire.
/// </summary>
public sealed class ServiceHost<TEntryPoint> : WebApplicationFactory<TEntryPoint> where TEntryPoint : class
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="services">
    /// Test-only additions after the service's own registrations (an interceptor that counts
    /// queries, say); configuration stays the way to change behaviour.
    /// </param>
    public ServiceHost(IDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        _services = services;
        HttpPort = FreePort();
        GrpcPort = FreePort();
        _settings = new Dictionary<string, string?>(settings)
        {
            ["Listen:Address"] = "127.0.0.1",
            ["Listen:HttpPort"] = HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Listen:GrpcPort"] = GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        UseKestrel();
    }

    public int HttpPort { get; }

    public int GrpcPort { get; }

    public Uri HttpAddress => new($"http://127.0.0.1:{HttpPort}/");

    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}/");

    /// <summary>Starts the host (migrations and start-up work included) and returns it.</summary>
    public ServiceHost<TEntryPoint> Start()
    {
        StartServer();
        return this;
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

    public GrpcChannel CreateGrpcChannel() => GrpcChannel.ForAddress(GrpcAddress);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureServices(services => services.AddSingleton(CapturedLogs.Sink));
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
