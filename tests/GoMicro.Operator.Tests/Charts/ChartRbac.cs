using System.Text.Json.Nodes;

namespace GoMicro.Operator.Tests.Charts;

/// <summary>
/// The RBAC authorizer of a cluster, for the operator's service account as the operator chart
/// (rendered by the real helm) grants it: ClusterRoles through ClusterRoleBindings everywhere,
/// Roles through RoleBindings in their namespace. The fake API server refuses, with 403, any
/// call this does not allow, so a verb the code needs and the chart lacks fails the tests.
/// </summary>
public static class ChartRbac
{
    public const string Release = "gomicro-operator";
    public const string ReleaseNamespace = "gomicro-system";

    public static Func<FakeApiServer.RequestAttributes, bool> Authorizer(params string[] helmFlags)
    {
        var objects = Helm.Template(ChartTests.OperatorChart, Release, ReleaseNamespace, helmFlags);
        JsonArray? RulesOf(string kind, string name, string? ns) => objects
            .FirstOrDefault(o => RenderedObjects.Kind(o) == kind && o["metadata"]!["name"]!.GetValue<string>() == name
                && (ns is null || o["metadata"]!["namespace"]?.GetValue<string>() == ns))?["rules"]?.AsArray();

        List<(string? Namespace, JsonArray Rules)> grants = [];
        foreach (var binding in objects.Where(o => RenderedObjects.Kind(o) is "ClusterRoleBinding" or "RoleBinding"))
        {
            var forOperator = binding["subjects"]!.AsArray().Any(s => s!["kind"]!.GetValue<string>() == "ServiceAccount"
                && s["name"]!.GetValue<string>() == Release && s["namespace"]?.GetValue<string>() == ReleaseNamespace);
            if (!forOperator)
            {
                continue;
            }
            var ns = RenderedObjects.Kind(binding) == "RoleBinding" ? binding["metadata"]!["namespace"]!.GetValue<string>() : null;
            var roleKind = binding["roleRef"]!["kind"]!.GetValue<string>();
            var rules = RulesOf(roleKind, binding["roleRef"]!["name"]!.GetValue<string>(), roleKind == "Role" ? ns : null)
                ?? throw new InvalidOperationException($"{RenderedObjects.Describe(binding)} binds a {roleKind} the chart does not render");
            grants.Add((ns, rules));
        }
        return request => grants.Any(g => (g.Namespace is null || g.Namespace == request.Namespace) && g.Rules.Any(r => Allows(r!, request)));
    }

    private static bool Allows(JsonNode rule, FakeApiServer.RequestAttributes request)
    {
        static bool Has(JsonNode? list, string value) => list?.AsArray().Any(v => v!.GetValue<string>() is var s && (s == "*" || s == value)) == true;
        var names = rule["resourceNames"]?.AsArray();
        return Has(rule["apiGroups"], request.Group)
            && Has(rule["resources"], request.Resource)
            && Has(rule["verbs"], request.Verb)
            && (names is null || names.Count == 0 || (request.Name is not null && Has(names, request.Name)));
    }
}
