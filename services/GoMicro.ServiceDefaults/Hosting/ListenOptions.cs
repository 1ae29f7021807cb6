namespace GoMicro.ServiceDefaults.Hosting;

/// <summary>
/// Where a service listens (section "Listen"). Plain-text HTTP cannot serve HTTP/1.1 and
/// HTTP/2 on one port, so JSON, health and metrics take one port and gRPC (h2c) the other.
/// </summary>
public sealed class ListenOptions
{
    public const string Section = "Listen";
    public const int DefaultHttpPort = 8080;
    public const int DefaultGrpcPort = 8081;

    /// <summary>The gRPC address of the service at <paramref name="host"/> (Services__{Name}__Grpc).</summary>
    public static string GrpcAddress(string host) => $"http://{host}:{DefaultGrpcPort}";

    /// <summary>Bind address; "0.0.0.0" in containers, "127.0.0.1" for local runs.</summary>
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>HTTP/1.1: JSON routes, /healthz/*, /metrics, /.well-known/*.</summary>
    public int HttpPort { get; set; } = DefaultHttpPort;

    /// <summary>HTTP/2 cleartext: gRPC.</summary>
    public int GrpcPort { get; set; } = DefaultGrpcPort;
}
