using GoMicro.Basket;
using GoMicro.ServiceDefaults;
using GoMicro.ServiceDefaults.Health;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync();
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("basket");
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapBasketApi();
await app.RunAsync();
return 0;
