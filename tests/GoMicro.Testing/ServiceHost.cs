using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
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
    private readonly string _environment;
    private Uri? _httpAddress;
    private Uri? _grpcAddress;

    /// <param name="services">
    /// Test-only additions after the service's own registrations (an interceptor that counts
    /// queries, say); configuration stays the way to change behaviour.
    /// </param>
    /// <param name="environment">The hosting environment; Development for what a service does only there.</param>
    public ServiceHost(IDictionary<string, string?> settings, Action<IServiceCollection>? services = null, string environment = "Testing")
    {
        _services = services;
        _environment = environment;
        // Port 0: the operating system picks free ports as Kestrel binds them, so no other
        // process can take a port between choosing it and binding it.
        _settings = new Dictionary<string, string?>(settings)
        {
            ["Listen:Address"] = "127.0.0.1",
            ["Listen:HttpPort"] = "0",
            ["Listen:GrpcPort"] = "0",
        };
        UseKestrel();
    }

    /// <summary>The bound HTTP/1.1 address (JSON, health, metrics); known once started.</summary>
    public Uri HttpAddress => _httpAddress ?? throw new InvalidOperationException("Start the host first: its ports are chosen as it binds them.");

    /// <summary>The bound h2c address (gRPC); known once started, and only for a host that serves gRPC.</summary>
    public Uri GrpcAddress => _grpcAddress ?? throw new InvalidOperationException("Start the host first, and only ask a host that serves gRPC for its gRPC address.");

    public int HttpPort => HttpAddress.Port;

    public int GrpcPort => GrpcAddress.Port;

    /// <summary>Starts the host (migrations and start-up work included) and returns it.</summary>
    public ServiceHost<TEntryPoint> Start()
    {
        StartServer();
        // Kestrel reports the endpoints in the order they were configured: KestrelSetup listens
        // on the HTTP/1.1 port first and on the gRPC port second (if at all).
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => new Uri(a)).ToList() ?? [];
        if (addresses.Count is not (1 or 2))
        {
            throw new InvalidOperationException($"Expected the HTTP endpoint and at most a gRPC one, Kestrel bound [{string.Join(", ", addresses)}].");
        }
        _httpAddress = addresses[0];
        _grpcAddress = addresses.Count == 2 ? addresses[1] : null;
        return this;
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

    public GrpcChannel CreateGrpcChannel() => GrpcChannel.ForAddress(GrpcAddress);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
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
}
