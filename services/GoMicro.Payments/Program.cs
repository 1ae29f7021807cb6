using GoMicro.Payments;
using GoMicro.ServiceDefaults;
using GoMicro.ServiceDefaults.Health;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync();
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("payments");
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapPaymentsApi();
await app.RunAsync();
return 0;
