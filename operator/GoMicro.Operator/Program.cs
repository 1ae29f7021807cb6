using GoMicro.Operator;
using GoMicro.Operator.Crd;
using GoMicro.ServiceDefaults.Health;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync();
}
// Generators of the charts' files that the code decides (the CRD, the values schema and the
// ClusterRole), and `render`, which prints what the operator would apply for a shop.
switch (args)
{
    case ["crd"]:
        Console.Write(CustomResourceDefinitionBuilder.ToYaml());
        return 0;
    case ["values-schema"]:
        Console.Write(ValuesSchemaBuilder.ToJson());
        return 0;
    case ["rbac"]:
        Console.Write(GoMicro.Operator.Controller.Permissions.RbacTemplate());
        return 0;
    case ["render", .. var rest]:
        return GoMicro.Operator.Rendering.ShopRenderer.Run(rest, Console.In, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddOperator();
var app = builder.Build();
app.MapOperatorEndpoints();
await app.RunAsync();
return 0;

public partial class Program;
