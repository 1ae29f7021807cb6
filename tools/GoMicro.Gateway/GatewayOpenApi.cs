using System.Text.RegularExpressions;
using GoMicro.ServiceDefaults.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Extensions;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.Swagger;

namespace GoMicro.Gateway;

/// <summary>
/// The gateway's OpenAPI document (krakend/openapi.json): each service's document, built by
/// the same setup the service serves in Development (<see cref="OpenApiSetup"/>), merged, with
/// the bearer token marked on the routes that need one. Routes and messages come from the
/// protos; who may call what comes from <see cref="GatewayRoutes"/>, as in krakend.json.
/// </summary>
public static partial class GatewayOpenApi
{
    public const string BearerScheme = "bearer";

    public static OpenApiDocument Build(IReadOnlyList<BackendService> services, IReadOnlyList<GatewayRoute> routes)
    {
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = "GoMicro",
                Version = OpenApiSetup.DocumentName,
                Description = "The shop's JSON API through the KrakenD gateway (generated from the protos by tools/GoMicro.Gateway).",
            },
            Servers = [new OpenApiServer { Url = $"http://localhost:{KrakendConfig.Port}" }],
            Paths = [],
            Components = new OpenApiComponents
            {
                SecuritySchemes = new Dictionary<string, OpenApiSecurityScheme>
                {
                    [BearerScheme] = new()
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        BearerFormat = "JWT",
                        Description = "An access token from POST /users/login.",
                    },
                },
            },
        };
        var parts = services.Select(Of).ToList();
        foreach (var (path, item) in parts.SelectMany(p => p.Paths).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            document.Paths.Add(path, item);
            foreach (var (verb, operation) in item.Operations)
            {
                var route = routes.SingleOrDefault(r => Shape(r.Path) == Shape(path) && string.Equals(r.Verb, verb.ToString(), StringComparison.OrdinalIgnoreCase))
                    ?? throw new InvalidOperationException($"{verb} {path} is in the OpenAPI document but not a gateway route");
                if (route.Access != Access.Public)
                {
                    operation.Security = [new OpenApiSecurityRequirement { [Reference()] = [] }];
                }
            }
        }
        foreach (var (id, schema) in parts.SelectMany(p => p.Components.Schemas).DistinctBy(s => s.Key).OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            document.Components.Schemas.Add(id, schema);
        }
        return document;
    }

    public static string ToJson(OpenApiDocument document) =>
        document.SerializeAsJson(OpenApiSpecVersion.OpenApi3_0).ReplaceLineEndings("\n") + "\n";

    /// <summary>A path with its parameters unnamed: the proto names them (product_id), OpenAPI by their JSON name (productId).</summary>
    private static string Shape(string path) => ParameterPattern().Replace(path, "{}");

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex ParameterPattern();

    private static OpenApiSecurityScheme Reference() =>
        new() { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = BearerScheme } };

    /// <summary>One service's document: its gRPC service mapped on a host that is never started.</summary>
    private static OpenApiDocument Of(BackendService service)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddGrpc().AddJsonTranscoding();
        builder.Services.AddGrpcOpenApi(service.Name);
        using var app = builder.Build();
        var map = typeof(GrpcEndpointRouteBuilderExtensions).GetMethods()
            .Single(m => m.Name == nameof(GrpcEndpointRouteBuilderExtensions.MapGrpcService) && m.GetParameters().Length == 1)
            .MakeGenericMethod(service.Implementation);
        // UseEndpoints hands the mapped endpoints to routing (and so to ApiExplorer) at once,
        // where a WebApplication's own Map* would wait for a start.
        app.UseRouting();
#pragma warning disable ASP0014 // the host is never started: top-level routes would reach routing only at a start
        app.UseEndpoints(endpoints => map.Invoke(null, [endpoints]));
#pragma warning restore ASP0014
        return app.Services.GetRequiredService<ISwaggerProvider>().GetSwagger(OpenApiSetup.DocumentName);
    }
}
