using GoMicro.Operator;

// Runs the operator, or one of its commands (`--help` lists them; see OperatorCommandLine).
return await OperatorCommandLine.Build(RunOperatorAsync, Console.In).Parse(args).InvokeAsync(OperatorCommandLine.Invocation);

static async Task<int> RunOperatorAsync(string[] args)
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddOperator();
    var app = builder.Build();
    app.MapOperatorEndpoints();
    await app.RunAsync();
    return 0;
}

public partial class Program;
