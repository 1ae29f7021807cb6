using GoMicro.ServiceDefaults;
using GoMicro.ServiceDefaults.Health;
using GoMicro.ServiceDefaults.Hosting;
using GoMicro.Users;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync();
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ApplicationServices.ServiceName);
builder.AddApplicationServices();

var app = builder.Build();
// First: everything after it sees the client a trusted proxy (Network__TrustedProxies) names.
app.UseTrustedProxies();
app.MapDefaultEndpoints();
app.MapUsersApi();
await app.RunAsync();
return 0;
