using GoMicro.Operator.Crd;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Controller;

/// <summary>
/// Every API call the operator makes on shops and their children, as RBAC rules: the chart's
/// ClusterRole (or, in namespaced mode, its Role in each watched namespace) is generated from
/// this list, so granting more than the code uses needs a change here.
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
        // Who owns a Deployment's replicas, before handing them to its autoscaler (ReplicasHandover).
        Rule("apps", ["deployments"], "get"),
        Rule("", ["services", "configmaps"], "list", "watch", "create", "patch"),
        Rule("networking.k8s.io", ["networkpolicies"], "list", "watch", "create", "patch"),
        // Children only some specs ask for; removed (OptionalChildren) by a collection delete on their labels.
        Rule("autoscaling", ["horizontalpodautoscalers"], "list", "watch", "create", "patch", "deletecollection"),
        Rule("policy", ["poddisruptionbudgets"], "list", "watch", "create", "patch", "deletecollection"),
        Rule("batch", ["cronjobs"], "list", "watch", "create", "patch", "deletecollection"),
        // Credentials: created once, never read (AlreadyExists says enough), deleted only by the finalizer.
        Rule("", ["secrets"], "create", "deletecollection"),
        // Backup volumes are applied; every claim of the shop is deleted only by the finalizer.
        Rule("", ["persistentvolumeclaims"], "create", "patch", "deletecollection"),
        // Data stores other operators run (postgres.provider cloudnative-pg, rabbitmq.provider
        // rabbitmq-cluster-operator): applied; the Clusters and the RabbitmqCluster watched for
        // their readiness; deleted by the shop's labels only (ScheduledBackups no longer asked
        // for; everything, by the finalizer, with dataRetention Delete).
        Rule(Resources.Providers.CnpgCluster.Group, [Resources.Providers.CnpgCluster.Plural], "list", "watch", "create", "patch", "deletecollection"),
        Rule(Resources.Providers.CnpgCluster.Group, [Resources.Providers.CnpgScheduledBackup.Plural], "create", "patch", "deletecollection"),
        Rule(Resources.Providers.RabbitmqCluster.Group, [Resources.Providers.RabbitmqCluster.Plural], "list", "watch", "create", "patch", "deletecollection"),
        Rule("events.k8s.io", ["events"], "create"),
        // spec.monitoring: applied (no watch: the CRDs may be absent, and a watch that cannot
        // list would hold back the operator's readiness; the resync corrects drift), and, when
        // monitoring is turned off, deleted by the operator's labels.
        Rule("monitoring.coreos.com", ["servicemonitors", "prometheusrules"], "create", "patch", "deletecollection"),
        Rule("", ["configmaps"], "deletecollection"),
    ];

    private static V1PolicyRule Rule(string group, List<string> resources, params string[] verbs) =>
        new() { ApiGroups = [group], Resources = resources, Verbs = verbs };

    /// <summary>
    /// The operator chart's templates/rbac.yaml: <see cref="ClusterRules"/> cluster-wide (a ClusterRole
    /// and its binding) when the value watchNamespaces is empty, otherwise the same rules as a
    /// Role and RoleBinding in each watched namespace. Every rule is on a namespaced resource,
    /// so a Role can grant each one.
    /// </summary>
    public static string RbacTemplate()
    {
        var rules = KubernetesYaml.Serialize(ClusterRules.ToList());
        return $$$"""
            # Generated from operator/GoMicro.Operator/Controller/Permissions.cs by `dotnet run --project operator/GoMicro.Operator -- rbac`. Do not edit.
            # What the operator may do to shops and their children: in every namespace (a ClusterRole) when
            # watchNamespaces is empty, otherwise in each listed namespace only (a Role there, same rules).
            {{- define "gomicro-operator.rules" }}
            rules:
            {{{rules.TrimEnd()}}}
            {{- end }}
            {{- define "gomicro-operator.rbacName" -}}
            {{ .Release.Namespace }}-{{ .Release.Name }}
            {{- end }}
            {{- if .Values.watchNamespaces }}
            {{- range $namespace := .Values.watchNamespaces }}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata:
              name: {{ include "gomicro-operator.rbacName" $ }}
              namespace: {{ $namespace }}
              labels:
                {{- include "gomicro-operator.labels" $ | nindent 4 }}
            {{- include "gomicro-operator.rules" $ }}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata:
              name: {{ include "gomicro-operator.rbacName" $ }}
              namespace: {{ $namespace }}
              labels:
                {{- include "gomicro-operator.labels" $ | nindent 4 }}
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: Role
              name: {{ include "gomicro-operator.rbacName" $ }}
            subjects:
              - kind: ServiceAccount
                name: {{ $.Release.Name }}
                namespace: {{ $.Release.Namespace }}
            {{- end }}
            {{- else }}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: {{ include "gomicro-operator.rbacName" . }}
              labels:
                {{- include "gomicro-operator.labels" . | nindent 4 }}
            {{- include "gomicro-operator.rules" . }}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata:
              name: {{ include "gomicro-operator.rbacName" . }}
              labels:
                {{- include "gomicro-operator.labels" . | nindent 4 }}
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: ClusterRole
              name: {{ include "gomicro-operator.rbacName" . }}
            subjects:
              - kind: ServiceAccount
                name: {{ .Release.Name }}
                namespace: {{ .Release.Namespace }}
            {{- end }}

            """;
    }
}
