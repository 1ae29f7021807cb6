using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace GoMicro.Operator.Crd;

/// <summary>
/// A HorizontalPodAutoscaler for one workload. While it is set, the operator leaves the
/// Deployment's replicas to the autoscaler (they are left out of what it applies), and the
/// workload's replicas field is not used.
/// </summary>
public sealed class AutoscalingSpec
{
    public const string Rule = "self.minReplicas <= self.maxReplicas";

    public const string Message = "autoscaling.minReplicas must not be greater than autoscaling.maxReplicas";

    [JsonPropertyName("minReplicas")]
    [Description("Fewest pods the autoscaler keeps. Two or more also gives the workload a PodDisruptionBudget, so a node drain never takes its last pod.")]
    [Range(1, 50)]
    public int MinReplicas { get; set; } = 2;

    [JsonPropertyName("maxReplicas")]
    [Description("Most pods the autoscaler may run.")]
    [Range(1, 50)]
    public int MaxReplicas { get; set; } = 5;

    [JsonPropertyName("targetCPUUtilization")]
    [Description("Average CPU use the autoscaler aims at, in percent of each pod's CPU request.")]
    [Range(10, 100)]
    public int TargetCPUUtilization { get; set; } = 70;
}
