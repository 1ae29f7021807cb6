using GoMicro.Operator;
using GoMicro.Operator.Crd;
using GoMicro.ServiceDefaults.Health;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync();
}
if (args is ["crd"])
{
    Console.Write(CustomResourceDefinitionBuilder.ToYaml());
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddOperator();
var app = builder.Build();
app.MapOperatorEndpoints();
await app.RunAsync();
return 0;

public partial class Program;
