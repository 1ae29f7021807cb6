using GoMicro.Payments;
using GoMicro.Messaging.Consuming;
using GoMicro.ServiceDefaults;
using GoMicro.ServiceDefaults.Health;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync();
}
if (DeadLetters.IsRequested(args))
{
    return await DeadLetters.RunAsync(args, ApplicationServices.ServiceName);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ApplicationServices.ServiceName);
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapPaymentsApi();
await app.RunAsync();
return 0;
