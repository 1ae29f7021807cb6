namespace GoMicro.Operator;

/// <summary>Section "Operator" (environment variables Operator__*).</summary>
public sealed class OperatorOptions
{
    public const string Section = "Operator";

    /// <summary>
    /// API server URL without credentials, e.g. from `kubectl proxy`. Empty: the in-cluster
    /// service account, or else the current kubeconfig context.
    /// </summary>
    public string? KubernetesHost { get; set; }

    /// <summary>Namespace of the leader Lease; the pod's own (POD_NAMESPACE) in a cluster.</summary>
    public string? LeaseNamespace { get; set; }

    public string LeaseName { get; set; } = "gomicro-operator";

    /// <summary>This instance's name in the Lease and in events; the pod name (HOSTNAME) by default.</summary>
    public string? Identity { get; set; }

    /// <summary>
    /// Comma-separated namespaces whose shops this operator reconciles; empty for every
    /// namespace. With a list, the chart grants a Role in each instead of a ClusterRole.
    /// </summary>
    public string? WatchNamespaces { get; set; }

    public IReadOnlyList<string> Namespaces =>
        (WatchNamespaces ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();

    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);
}
