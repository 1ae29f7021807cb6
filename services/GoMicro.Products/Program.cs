using GoMicro.Products;
using GoMicro.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("products");
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapProductsApi();
app.Run();
