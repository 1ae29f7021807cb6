using GoMicro.Operator;
using GoMicro.Operator.Crd;

if (args is ["crd"])
{
    Console.Write(CustomResourceDefinitionBuilder.ToYaml());
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddOperator();
var app = builder.Build();
app.MapOperatorEndpoints();
await app.RunAsync();

public partial class Program;
