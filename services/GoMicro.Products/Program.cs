using GoMicro.Products;
using GoMicro.ServiceDefaults;
using GoMicro.ServiceDefaults.Health;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync();
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("products");
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapProductsApi();
await app.RunAsync();
return 0;
