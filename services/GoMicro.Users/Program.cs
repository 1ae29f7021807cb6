using GoMicro.ServiceDefaults;
using GoMicro.Users;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("users");
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapUsersApi();
app.Run();
