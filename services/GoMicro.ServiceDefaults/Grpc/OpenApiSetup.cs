using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi.Models;

namespace GoMicro.ServiceDefaults.Grpc;

/// <summary>
/// An OpenAPI document of a service's JSON routes, generated from the same protos and
/// google.api.http rules that JSON transcoding serves (Microsoft.AspNetCore.Grpc.Swagger), so the
/// routes are described in one place. Served in Development only; the gateway-wide document,
/// built the same way, is committed beside krakend.json (tools/GoMicro.Gateway).
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentName = "v1";

    /// <summary>Where a service in Development serves its document.</summary>
    public const string DocumentPath = "/openapi/" + DocumentName + ".json";

    /// <summary>The protos' comments, compiled with them (GoMicro.Protos).</summary>
    private const string ProtoCommentsFile = "GoMicro.Protos.xml";

    public static IServiceCollection AddGrpcOpenApi(this IServiceCollection services, string title)
    {
        services.AddGrpcSwagger();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo { Title = title, Version = DocumentName });
            // Full names: messages of one name in two services stay apart when the gateway's
            // document merges them.
            options.CustomSchemaIds(type => type.FullName!.Replace('+', '.'));
            // The gRPC method's name (Checkout, GetProduct): what a generated client calls it.
            options.CustomOperationIds(api => api.ActionDescriptor.EndpointMetadata.OfType<GrpcMethodMetadata>().FirstOrDefault()?.Method.Name);
            var protoComments = Path.Combine(AppContext.BaseDirectory, ProtoCommentsFile);
            if (File.Exists(protoComments))
            {
                options.IncludeGrpcXmlComments(protoComments, includeControllerXmlComments: true);
            }
        });
        return services;
    }

    public static WebApplication MapOpenApiInDevelopment(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.UseSwagger(options => options.RouteTemplate = "openapi/{documentName}.json");
        }
        return app;
    }
}
