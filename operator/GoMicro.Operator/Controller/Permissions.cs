using GoMicro.Operator.Crd;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Controller;

/// <summary>
/// Every cluster-wide API call the operator makes, as RBAC rules: the chart's ClusterRole is
/// generated from this list, so granting more than the code uses needs a change here.
/// The leader Lease is granted separately, in the operator's own namespace only.
/// </summary>
public static class Permissions
{
    public static readonly IReadOnlyList<V1PolicyRule> ClusterRules =
    [
        // Informer (list, watch), reconciler (get), finalizer (patch).
        Rule(GoMicroShop.Group, [GoMicroShop.Plural], "get", "list", "watch", "patch"),
        Rule(GoMicroShop.Group, [GoMicroShop.Plural + "/status"], "patch"),
        // Children carry blockOwnerDeletion, which needs update on the owner's finalizers.
        Rule(GoMicroShop.Group, [GoMicroShop.Plural + "/finalizers"], "update"),
        // Server-side apply creates (create) or updates (patch); informers list and watch.
        Rule("apps", ["deployments", "statefulsets"], "list", "watch", "create", "patch"),
        Rule("", ["services", "configmaps"], "list", "watch", "create", "patch"),
        // Credentials: created once, never read (AlreadyExists says enough), deleted only by the finalizer.
        Rule("", ["secrets"], "create", "deletecollection"),
        Rule("", ["persistentvolumeclaims"], "deletecollection"),
        Rule("events.k8s.io", ["events"], "create"),
    ];

    private static V1PolicyRule Rule(string group, List<string> resources, params string[] verbs) =>
        new() { ApiGroups = [group], Resources = resources, Verbs = verbs };

    /// <summary>The chart's templates/clusterrole.yaml.</summary>
    public static string ClusterRoleTemplate()
    {
        var rules = KubernetesYaml.Serialize(ClusterRules.ToList());
        return $$$"""
            # Generated from operator/GoMicro.Operator/Controller/Permissions.cs by `dotnet run --project operator/GoMicro.Operator -- rbac`. Do not edit.
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: {{ .Release.Namespace }}-{{ .Release.Name }}
              labels:
                {{- include "gomicro-operator.labels" . | nindent 4 }}
            rules:
            {{{rules.TrimEnd()}}}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata:
              name: {{ .Release.Namespace }}-{{ .Release.Name }}
              labels:
                {{- include "gomicro-operator.labels" . | nindent 4 }}
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: {{ .Release.Namespace }}-{{ .Release.Name }}
            subjects:
              - kind: ServiceAccount
                name: {{ .Release.Name }}
                namespace: {{ .Release.Namespace }}

            """;
    }
}
