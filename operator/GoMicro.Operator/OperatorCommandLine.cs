using System.CommandLine;
using GoMicro.Operator.Controller;
using GoMicro.Operator.Crd;
using GoMicro.Operator.Rendering;
using GoMicro.ServiceDefaults.Health;

namespace GoMicro.Operator;

/// <summary>
/// The operator's command line (System.CommandLine). Without a command it runs the operator,
/// handing every argument it does not know to ASP.NET Core's configuration as before; the
/// commands print the charts' generated files (`crd`, `values-schema`, `rbac`), render a shop
/// (`render`), or probe a running operator (`healthcheck`). `--help` lists them.
/// </summary>
public static class OperatorCommandLine
{
    /// <summary>
    /// How Program invokes it: the operator's host handles SIGTERM itself (it gives up its lease
    /// and stops its watches), and its exceptions end the process as they always did.
    /// </summary>
    public static InvocationConfiguration Invocation { get; } = new()
    {
        ProcessTerminationTimeout = null,
        EnableDefaultExceptionHandler = false,
    };

    public static RootCommand Build(Func<string[], Task<int>> runOperator, TextReader stdin)
    {
        var root = new RootCommand("The GoMicro operator: reconciles GoMicroShop resources. Without a command it runs the operator; other arguments go to its configuration (ASP.NET Core's --Key=value form).")
        {
            Print("crd", "Print the GoMicroShop CustomResourceDefinition (charts/gomicro-operator/crds/).", CustomResourceDefinitionBuilder.ToYaml),
            Print("values-schema", "Print values.schema.json of charts/gomicro.", ValuesSchemaBuilder.ToJson),
            Print("rbac", "Print the operator's ClusterRole template (charts/gomicro-operator/templates/rbac.yaml).", Permissions.RbacTemplate),
            ShopRenderer.Command(stdin),
            HealthCheck(),
        };
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction(parse => runOperator([.. parse.UnmatchedTokens]));
        return root;
    }

    private static Command Print(string name, string description, Func<string> text)
    {
        var command = new Command(name, description);
        command.SetAction(parse => parse.InvocationConfiguration.Output.Write(text()));
        return command;
    }

    private static Command HealthCheck()
    {
        var command = new Command("healthcheck", "Ask the operator running in this container for /healthz/ready; exit 0 when ready.");
        command.SetAction(_ => HealthProbe.RunAsync());
        return command;
    }
}
