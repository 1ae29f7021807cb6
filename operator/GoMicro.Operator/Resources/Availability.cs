using GoMicro.Operator.Crd;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Resources;

/// <summary>
/// How the stateless workloads (the four services and the gateway) stay available: a
/// HorizontalPodAutoscaler for each that asks for one, a PodDisruptionBudget for each that
/// runs more than one pod, and pods spread across nodes. The data stores run one pod each:
/// a budget there could only block every node drain, so they get none.
/// </summary>
internal static class Availability
{
    public const string AutoscalerComponent = "autoscaler";
    public const string BudgetComponent = "disruption-budget";
    public const string HostnameTopologyKey = "kubernetes.io/hostname";

    /// <summary>Each stateless workload's part, fixed replicas and autoscaling: the one table this file works from.</summary>
    public static IEnumerable<(string Part, int Replicas, AutoscalingSpec? Autoscaling)> Workloads(ShopNames names)
    {
        var spec = names.Shop.Spec;
        yield return (Microservices.Users, spec.Services.Users.Replicas, spec.Services.Users.Autoscaling);
        yield return (Microservices.Products, spec.Services.Products.Replicas, spec.Services.Products.Autoscaling);
        yield return (Microservices.Basket, spec.Services.Basket.Replicas, spec.Services.Basket.Autoscaling);
        yield return (Microservices.Payments, spec.Services.Payments.Replicas, spec.Services.Payments.Autoscaling);
        yield return (Gateway.Part, spec.Gateway.Replicas, spec.Gateway.Autoscaling);
    }

    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Build(ShopNames names)
    {
        foreach (var (part, replicas, autoscaling) in Workloads(names))
        {
            if (autoscaling is not null)
            {
                yield return Autoscaler(names, part, autoscaling);
            }
            if ((autoscaling?.MinReplicas ?? replicas) > 1)
            {
                yield return Budget(names, part);
            }
        }
    }

    /// <summary>
    /// The Deployment's replicas: the spec's, or none while an autoscaler owns them. Left out of
    /// the applied object, the field is not the operator's, so its server-side apply never
    /// resets what the autoscaler chose (see ReplicasHandover for the switch-over).
    /// </summary>
    public static int? Replicas(int replicas, AutoscalingSpec? autoscaling) => autoscaling is null ? replicas : null;

    /// <summary>
    /// At most one pod more on any node than on another, where the scheduler can (ScheduleAnyway:
    /// a one-node cluster still runs every pod). Only pods of the same rollout count
    /// (pod-template-hash), so old pods on their way out do not skew the new ones.
    /// </summary>
    public static List<V1TopologySpreadConstraint> SpreadAcrossNodes(ShopNames names, string part) =>
    [
        new V1TopologySpreadConstraint
        {
            MaxSkew = 1,
            TopologyKey = HostnameTopologyKey,
            WhenUnsatisfiable = "ScheduleAnyway",
            LabelSelector = new V1LabelSelector { MatchLabels = names.Selector(part) },
            MatchLabelKeys = ["pod-template-hash"],
        },
    ];

    private static V2HorizontalPodAutoscaler Autoscaler(ShopNames names, string part, AutoscalingSpec autoscaling) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = names.Metadata(part, AutoscalerComponent),
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = names.Of(part) },
            MinReplicas = autoscaling.MinReplicas,
            MaxReplicas = autoscaling.MaxReplicas,
            Metrics =
            [
                new V2MetricSpec
                {
                    Type = "Resource",
                    Resource = new V2ResourceMetricSource
                    {
                        Name = "cpu",
                        Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = autoscaling.TargetCPUUtilization },
                    },
                },
            ],
        },
    };

    /// <summary>
    /// One pod of the workload may be evicted at a time (a drain waits for its replacement to
    /// be ready); a pod that is not ready anyway may always be evicted, so a crash-looping pod
    /// never blocks a drain.
    /// </summary>
    private static V1PodDisruptionBudget Budget(ShopNames names, string part) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = names.Metadata(part, BudgetComponent),
        Spec = new V1PodDisruptionBudgetSpec
        {
            MaxUnavailable = 1,
            Selector = new V1LabelSelector { MatchLabels = names.Selector(part) },
            UnhealthyPodEvictionPolicy = "AlwaysAllow",
        },
    };
}
