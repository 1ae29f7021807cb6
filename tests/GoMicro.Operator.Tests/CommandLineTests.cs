using System.CommandLine;
using GoMicro.Operator.Controller;
using GoMicro.Operator.Crd;

namespace GoMicro.Operator.Tests;

/// <summary>`gomicro-operator [command]`: what the charts, the image and the README invoke keeps working.</summary>
public sealed class CommandLineTests
{
    private const string Shop = """
        apiVersion: gomicro.io/v1alpha1
        kind: GoMicroShop
        metadata:
          name: piped
        spec:
          version: 1.2.3
        """;

    private static (int Code, string Output, string Errors, string[]? RanWith) Invoke(string[] args, string stdin = "")
    {
        string[]? ranWith = null;
        var root = OperatorCommandLine.Build(run => { ranWith = run; return Task.FromResult(0); }, new StringReader(stdin));
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = errors, EnableDefaultExceptionHandler = false });
        return (code, output.ToString(), errors.ToString(), ranWith);
    }

    [Fact]
    public void The_generators_print_the_charts_files()
    {
        Assert.Equal((0, CustomResourceDefinitionBuilder.ToYaml()), Invoke(["crd"]) is var crd ? (crd.Code, crd.Output) : default);
        Assert.Equal((0, ValuesSchemaBuilder.ToJson()), Invoke(["values-schema"]) is var schema ? (schema.Code, schema.Output) : default);
        Assert.Equal((0, Permissions.RbacTemplate()), Invoke(["rbac"]) is var rbac ? (rbac.Code, rbac.Output) : default);
    }

    [Fact]
    public void Help_lists_every_command_and_runs_nothing()
    {
        var (code, output, _, ranWith) = Invoke(["--help"]);
        Assert.Equal(0, code);
        Assert.Null(ranWith);
        foreach (var command in new[] { "crd", "values-schema", "rbac", "render", "healthcheck" })
        {
            Assert.Contains(command, output, StringComparison.Ordinal);
        }
        Assert.Contains("--filename", Invoke(["render", "--help"]).Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_command_it_runs_the_operator_with_the_other_arguments_as_configuration()
    {
        foreach (string[] args in (string[][])[[], ["--Operator:WatchNamespaces=shop", "--urls", "http://127.0.0.1:0"]])
        {
            var (code, _, _, ranWith) = Invoke(args);
            Assert.Equal(0, code);
            Assert.Equal(args, ranWith);
        }
    }

    [Fact]
    public void Render_reads_standard_input_for_a_dash()
    {
        var (code, output, errors, ranWith) = Invoke(["render", "-f", "-", "--namespace", "elsewhere"], Shop);
        Assert.True(code == 0, errors);
        Assert.Null(ranWith);
        Assert.Contains("name: piped-users", output, StringComparison.Ordinal);
        Assert.Contains("namespace: elsewhere", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_without_a_file_is_refused_with_the_reason()
    {
        var (code, _, errors, ranWith) = Invoke(["render"]);
        Assert.NotEqual(0, code);
        Assert.Null(ranWith);
        Assert.Contains("--filename", errors, StringComparison.Ordinal);
    }
}
