using GoMicro.Operator.Crd;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Controller;

/// <summary>The shop's status from what the API server answered for its workloads.</summary>
internal static class ShopStatusBuilder
{
    public static ComponentStatus? Component(IKubernetesObject<V1ObjectMeta> applied) => applied switch
    {
        // Ready pods count only when they are of the current spec: a status from an older
        // generation, or old pods still serving during a rollout, say nothing about this one.
        V1Deployment d => new ComponentStatus
        {
            Name = d.Metadata.Name,
            Replicas = d.Spec.Replicas ?? 1,
            ReadyReplicas = d.Status?.ObservedGeneration >= d.Metadata.Generation
                ? Math.Min(d.Status.ReadyReplicas ?? 0, Math.Min(d.Status.UpdatedReplicas ?? 0, d.Status.AvailableReplicas ?? 0))
                : 0,
        },
        V1StatefulSet s => new ComponentStatus
        {
            Name = s.Metadata.Name,
            Replicas = s.Spec.Replicas ?? 1,
            ReadyReplicas = s.Status?.ObservedGeneration >= s.Metadata.Generation && s.Status.CurrentRevision == s.Status.UpdateRevision
                ? Math.Min(s.Status.ReadyReplicas ?? 0, s.Status.UpdatedReplicas ?? 0)
                : 0,
        },
        _ => null,
    };

    /// <param name="dataStores">Each store's provider and readiness: a store not ready holds the shop back like a workload.</param>
    /// <param name="failureReason">The reason of Ready and Degraded while <paramref name="failure"/> is set.</param>
    public static GoMicroShopStatus Build(GoMicroShop shop, IReadOnlyList<ComponentStatus> components, string gateway, string? failure, DateTime now,
        IReadOnlyList<DataStoreStatus>? dataStores = null, string failureReason = "ReconcileFailed")
    {
        var waiting = components.Where(c => c.ReadyReplicas < c.Replicas).Select(c => c.Name)
            .Concat((dataStores ?? []).Where(d => !d.Ready).Select(d => $"{d.Name} ({d.Provider}: {d.Message})"))
            .ToList();
        var ready = failure is null && waiting.Count == 0;
        var previous = shop.Status?.Conditions ?? [];
        var generation = shop.Metadata.Generation;
        return new GoMicroShopStatus
        {
            ObservedGeneration = generation,
            Components = [.. components],
            Gateway = gateway,
            DataStores = [.. dataStores ?? []],
            Conditions =
            [
                Condition(previous, ConditionTypes.Ready, ready, generation, now,
                    ready ? "AllComponentsReady" : failure is not null ? failureReason : "ComponentsNotReady",
                    ready ? "Every component of the shop is ready." : failure ?? $"Waiting for {string.Join(", ", waiting)}."),
                Condition(previous, ConditionTypes.Progressing, failure is null && !ready, generation, now,
                    ready ? "RolloutComplete" : failure is not null ? failureReason : "RollingOut",
                    ready ? "Nothing is rolling out." : failure ?? $"{waiting.Count} of {components.Count + (dataStores?.Count ?? 0)} components and data stores are not ready yet."),
                Condition(previous, ConditionTypes.Degraded, failure is not null, generation, now,
                    failure is not null ? failureReason : "ReconcileSucceeded",
                    failure ?? "The last reconciliation succeeded."),
            ],
        };
    }

    /// <summary>Keeps lastTransitionTime when the status did not change, as the conventions ask.</summary>
    private static V1Condition Condition(IList<V1Condition> previous, string type, bool status, long? generation, DateTime now, string reason, string message)
    {
        var value = status ? "True" : "False";
        var before = previous.FirstOrDefault(c => c.Type == type);
        return new V1Condition
        {
            Type = type,
            Status = value,
            Reason = reason,
            Message = message,
            ObservedGeneration = generation,
            LastTransitionTime = before is not null && before.Status == value ? before.LastTransitionTime : now,
        };
    }

    public static bool IsTrue(GoMicroShopStatus? status, string type) =>
        status?.Conditions.FirstOrDefault(c => c.Type == type)?.Status == "True";
}
