using GoMicro.Operator.Crd;
using k8s.Models;

namespace GoMicro.Operator.Resources;

/// <summary>Pieces every pod of a shop is built from.</summary>
internal static class PodParts
{
    public static V1EnvVar Env(string name, string value) => new() { Name = name, Value = value };

    public static V1EnvVar FromSecret(string name, string secret, string key) => new()
    {
        Name = name,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secret, Key = key } },
    };

    /// <summary>Requests what the spec names, and limits memory to the same: no memory overcommit, no CPU throttling.</summary>
    public static V1ResourceRequirements Requirements(ResourcesSpec spec) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(spec.Cpu), ["memory"] = new(spec.Memory) },
        Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new(spec.Memory) },
    };

    public static V1ContainerPort Port(string name, int port) => new() { Name = name, ContainerPort = port, Protocol = "TCP" };

    public static V1ServicePort ServicePort(string name, int port, string? appProtocol = null) =>
        new() { Name = name, Port = port, TargetPort = name, Protocol = "TCP", AppProtocol = appProtocol };

    public static V1Probe HttpProbe(string path, string port, int periodSeconds = 10, int failureThreshold = 3) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = port },
        PeriodSeconds = periodSeconds,
        TimeoutSeconds = 3,
        FailureThreshold = failureThreshold,
    };

    public static V1Probe TcpProbe(string port, int periodSeconds, int failureThreshold) => new()
    {
        TcpSocket = new V1TCPSocketAction { Port = port },
        PeriodSeconds = periodSeconds,
        TimeoutSeconds = 5,
        FailureThreshold = failureThreshold,
    };

    public static V1Probe ExecProbe(int periodSeconds, params string[] command) => new()
    {
        Exec = new V1ExecAction { Command = command },
        PeriodSeconds = periodSeconds,
        TimeoutSeconds = 5,
        FailureThreshold = 6,
    };

    /// <summary>The restricted Pod Security Standard, for the images that run as a non-root user.</summary>
    public static V1SecurityContext Restricted() => new()
    {
        RunAsNonRoot = true,
        AllowPrivilegeEscalation = false,
        ReadOnlyRootFilesystem = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };
}
