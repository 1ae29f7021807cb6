using System.Net;
using GoMicro.Operator.Crd;
using GoMicro.Operator.Resources;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace GoMicro.Operator.Controller;

/// <summary>
/// Brings one shop to its spec: the finalizer, the generated credentials, every child by
/// server-side apply, then the status. Idempotent: it runs on every change of the shop or
/// of anything it owns, and again while the shop is not ready.
/// </summary>
internal sealed partial class ShopReconciler(IKubernetes client, EventRecorder events, TimeProvider clock, ILogger<ShopReconciler> logger)
{
    public const string Finalizer = "gomicro.io/data-retention";

    /// <summary>Every shop is looked at again this often even without events, as a safety net.</summary>
    public static readonly TimeSpan Resync = TimeSpan.FromMinutes(5);

    /// <summary>How soon to look again at a shop that is not ready yet, besides the watches.</summary>
    public static readonly TimeSpan NotReadyRecheck = TimeSpan.FromSeconds(15);

    /// <returns>When to reconcile again, or null when the shop is gone.</returns>
    public async Task<TimeSpan?> ReconcileAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var shop = await GetAsync(ns, name, cancellationToken);
        if (shop is null)
        {
            return null; // deleted: owner references let the garbage collector remove the children
        }
        if (shop.Metadata.DeletionTimestamp is not null)
        {
            await FinalizeAsync(shop, cancellationToken);
            return null;
        }
        // The finalizer only where it has work to do (dataRetention: Delete). A shop that keeps
        // its data is deleted by the garbage collector alone, so removing the operator first
        // (helm uninstall, skaffold delete) can never leave it Terminating.
        var finalizers = shop.Metadata.Finalizers ?? [];
        var wanted = shop.Spec.DataRetention == DataRetention.Delete;
        if (wanted != finalizers.Contains(Finalizer))
        {
            shop = await PatchFinalizersAsync(shop, wanted ? [.. finalizers, Finalizer] : [.. finalizers.Where(f => f != Finalizer)], cancellationToken);
        }

        var names = new ShopNames(shop);
        var wasReady = ShopStatusBuilder.IsTrue(shop.Status, ConditionTypes.Ready);
        var created = await EnsureSecretsAsync(names, cancellationToken);
        if (created.Count > 0 && shop.Status?.ObservedGeneration is null)
        {
            await events.RecordAsync(shop, EventRecorder.Normal, "CredentialsCreated", "Create", $"Generated {string.Join(", ", created)}.", cancellationToken);
        }
        else if (created.Count > 0)
        {
            await events.RecordAsync(shop, EventRecorder.Warning, "CredentialsRecreated", "Create",
                $"{string.Join(", ", created)} went missing and was generated again. A database or broker that was initialised with the old credentials refuses the new ones: restore the old Secret from a backup, or, if the data can go, delete the store's volume.", cancellationToken);
        }

        List<ComponentStatus> components = [];
        List<IKubernetesObject<V1ObjectMeta>> appliedChildren = [];
        List<string> refused = [];
        var children = ShopResources.Build(names);
        List<IForeignKind> missing = [];
        HashSet<string> notInstalled = [];
        List<string> install = [];
        foreach (var desired in children)
        {
            try
            {
                if (desired is V1Deployment deployment)
                {
                    await ReplicasHandover.ReleaseAsync(client, deployment, cancellationToken);
                }
                var applied = await client.ApplyAsync(desired, cancellationToken);
                appliedChildren.Add(applied);
                if (ShopStatusBuilder.Component(applied) is { } component)
                {
                    components.Add(component);
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden)
            {
                // The API server refused this child as the spec asks for it: report it, and
                // still apply the others, so one refusal does not hold back every upgrade.
                refused.Add($"{desired.Kind} {desired.Metadata.Name} ({(int)e.Response.StatusCode}): {e.Response.Content}");
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && DataStoreStatusBuilder.NotInstalled(desired) is { } provider)
            {
                // The kind of a data-store provider is not served: its operator is not installed.
                // Said once per kind; the rest of the shop is still applied.
                if (notInstalled.Add(desired.Kind))
                {
                    install.Add(provider);
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && desired is IForeignKind foreign)
            {
                // The API server does not serve this kind: its CRD is not installed. Say what to
                // install; the other children are applied all the same.
                missing.Add(foreign);
            }
        }
        refused.AddRange(await OptionalChildren.PruneAsync(client, names, children, cancellationToken));
        await ProviderCleanup.PruneAsync(client, names, cancellationToken);
        if (!shop.Spec.Monitoring.Enabled)
        {
            await client.RemoveMonitoringAsync(names, cancellationToken);
        }
        var dataStores = DataStoreStatusBuilder.Build(names, appliedChildren, notInstalled);
        List<string> problems = [.. install, .. missing.GroupBy(m => m.Remedy).Select(g => $"The CRDs {string.Join(", ", g.Select(m => m.Crd).Distinct())} are not installed: {g.Key}.")];
        if (refused.Count > 0)
        {
            problems.Add("The API server refused " + string.Join("; ", refused));
        }
        var failure = problems.Count > 0 ? string.Join(" ", problems) : null;

        var status = ShopStatusBuilder.Build(shop, components, Gateway.Url(names), failure, clock.GetUtcNow().UtcDateTime,
            dataStores, install.Count > 0 ? "ProviderNotInstalled" : "ReconcileFailed");
        await PatchStatusAsync(shop, status, cancellationToken);
        var ready = ShopStatusBuilder.IsTrue(status, ConditionTypes.Ready);
        OperatorMetrics.ShopsReady.WithLabels(ns, name).Set(ready ? 1 : 0);
        if (failure is not null)
        {
            await events.RecordAsync(shop, EventRecorder.Warning, install.Count > 0 ? "ProviderNotInstalled" : "ReconcileFailed", "Apply", failure, cancellationToken);
            throw new ShopReconcileException(failure);
        }
        if (ready != wasReady)
        {
            await events.RecordAsync(shop, ready ? EventRecorder.Normal : EventRecorder.Warning, ready ? "Ready" : "NotReady", "Reconcile",
                status.Conditions.First(c => c.Type == ConditionTypes.Ready).Message, cancellationToken);
        }
        LogReconciled(logger, ns, name, ready, components.Count);
        return ready ? Resync : NotReadyRecheck;
    }

    private async Task<GoMicroShop?> GetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            var raw = await client.CustomObjects.GetNamespacedCustomObjectAsync(GoMicroShop.Group, GoMicroShop.Version, ns, GoMicroShop.Plural, name, cancellationToken);
            return SchemaDefaults.Shop(raw);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Creates the credentials that do not exist yet; existing ones are never rewritten. Only
    /// create: an AlreadyExists answer says enough, so the operator needs no right to read
    /// Secrets. Asked on every reconciliation (no cache), so a Secret deleted by hand is noticed
    /// at the next one rather than at the operator's next restart.
    /// </summary>
    private async Task<List<string>> EnsureSecretsAsync(ShopNames names, CancellationToken cancellationToken)
    {
        List<string> created = [];
        foreach (var secret in ShopSecrets.Generate(names))
        {
            try
            {
                await client.CoreV1.CreateNamespacedSecretAsync(secret, names.Namespace, fieldManager: Apply.FieldManager, cancellationToken: cancellationToken);
                created.Add(secret.Metadata.Name);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // Made earlier, or by hand (from a backup): the existing one stays.
            }
        }
        return created;
    }

    /// <summary>
    /// Owner references remove the workloads; the finalizer decides about what they do not
    /// own: the volumes and the credentials that match them, kept unless dataRetention is Delete.
    /// </summary>
    private async Task FinalizeAsync(GoMicroShop shop, CancellationToken cancellationToken)
    {
        if (!(shop.Metadata.Finalizers ?? []).Contains(Finalizer))
        {
            return;
        }
        var names = new ShopNames(shop);
        if (shop.Spec.DataRetention == DataRetention.Delete)
        {
            await client.CoreV1.DeleteCollectionNamespacedPersistentVolumeClaimAsync(names.Namespace, labelSelector: names.AllSelector, cancellationToken: cancellationToken);
            await client.CoreV1.DeleteCollectionNamespacedSecretAsync(names.Namespace, labelSelector: names.AllSelector, cancellationToken: cancellationToken);
            await ProviderCleanup.DeleteDataAsync(client, names, cancellationToken);
            await events.RecordAsync(shop, EventRecorder.Normal, "DataDeleted", "Delete", "Deleted the volumes and credentials of the shop (dataRetention: Delete).", cancellationToken);
        }
        else
        {
            await events.RecordAsync(shop, EventRecorder.Normal, "DataRetained", "Delete", $"Kept the volumes and credentials labelled {names.AllSelector} (dataRetention: Retain).", cancellationToken);
        }
        await PatchFinalizersAsync(shop, [.. shop.Metadata.Finalizers!.Where(f => f != Finalizer)], cancellationToken);
        OperatorMetrics.ShopsReady.RemoveLabelled(names.Namespace, shop.Metadata.Name);
        LogFinalized(logger, names.Namespace, shop.Metadata.Name, shop.Spec.DataRetention.ToString());
    }

    /// <summary>A merge patch of the whole list, guarded by resourceVersion so a concurrent change to it is never lost.</summary>
    private async Task<GoMicroShop> PatchFinalizersAsync(GoMicroShop shop, List<string> finalizers, CancellationToken cancellationToken) =>
        SchemaDefaults.Shop(await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(new { metadata = new { finalizers, resourceVersion = shop.Metadata.ResourceVersion } }, V1Patch.PatchType.MergePatch),
            GoMicroShop.Group, GoMicroShop.Version, shop.Metadata.NamespaceProperty, GoMicroShop.Plural, shop.Metadata.Name,
            fieldManager: Apply.FieldManager, cancellationToken: cancellationToken));

    private async Task PatchStatusAsync(GoMicroShop shop, GoMicroShopStatus status, CancellationToken cancellationToken)
    {
        if (KubernetesJson.Serialize(shop.Status) == KubernetesJson.Serialize(status))
        {
            return; // nothing changed: no write, no watch event, no loop
        }
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(new { status }, V1Patch.PatchType.MergePatch),
            GoMicroShop.Group, GoMicroShop.Version, shop.Metadata.NamespaceProperty, GoMicroShop.Plural, shop.Metadata.Name,
            fieldManager: Apply.FieldManager, cancellationToken: cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Namespace}/{Shop} reconciled: ready {Ready}, {Components} workloads")]
    private static partial void LogReconciled(ILogger logger, string @namespace, string shop, bool ready, int components);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Namespace}/{Shop} finalized (dataRetention {Retention})")]
    private static partial void LogFinalized(ILogger logger, string @namespace, string shop, string retention);
}

/// <summary>A reconciliation that reported its failure in the status and should be retried with back-off.</summary>
internal sealed class ShopReconcileException(string message) : Exception(message);
