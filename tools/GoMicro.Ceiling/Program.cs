using System.Net;
using GoMicro.Ceiling;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// The bare transcoded ceiling: GetProduct, ListProducts and GetBasket of the same protos through
// the same gRPC JSON transcoding as the services, with canned answers: no database, no auth, no
// logging per request, no metrics. scripts/bench.sh measures it beside GoMicro.
//   dotnet GoMicro.Ceiling.dll --port 18190     (or CEILING_PORT=18190; default 8088, on 127.0.0.1)
var builder = WebApplication.CreateSlimBuilder(args);
var port = builder.Configuration.GetValue<int?>("port") ?? (int.TryParse(Environment.GetEnvironmentVariable("CEILING_PORT"), out var p) ? p : 8088);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http1);
    kestrel.AddServerHeader = false;
});
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddGrpc().AddJsonTranscoding();

var app = builder.Build();
app.MapGrpcService<CeilingProductsService>();
app.MapGrpcService<CeilingBasketService>();
app.MapGet("/healthz/ready", () => "ok");
await app.RunAsync();
