using GoMicro.Basket;
using GoMicro.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("basket");
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapBasketApi();
app.Run();
