namespace GoMicro.ServiceDefaults.Grpc;

/// <summary>
/// A route whose worst case is longer than the gateway's default timeout: the gateway
/// generator gives its endpoint this timeout instead, so the gateway never answers 504 while
/// the service is still working (and may have charged).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GatewayTimeoutAttribute(int seconds) : Attribute
{
    public TimeSpan Timeout { get; } = TimeSpan.FromSeconds(seconds);
}
