using GoMicro.Gateway;
using GoMicro.Testing;
using Microsoft.OpenApi.Models;
using Microsoft.OpenApi.Readers;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// krakend/openapi.json describes the gateway's JSON API: generated from the protos beside
/// krakend.json, so it describes exactly the routes the gateway serves.
/// </summary>
public sealed class GatewayOpenApiTests
{
    private static string CommittedPath => Path.Combine(OfflineSchemas.RepositoryRoot, "krakend", GeneratorCommand.OpenApiFile);

    [Fact]
    public void The_committed_document_is_what_the_generator_writes()
    {
        var generated = GatewayOpenApi.ToJson(GatewayOpenApi.Build(GatewayRoutes.Services, GatewayRoutes.Discover()));

        Assert.True(generated == File.ReadAllText(CommittedPath),
            "krakend/openapi.json is out of date: run `dotnet run --project tools/GoMicro.Gateway` and commit the result.");
    }

    [Fact]
    public void The_document_is_valid_OpenAPI_and_describes_every_gateway_route_with_its_access()
    {
        var document = new OpenApiStringReader().Read(File.ReadAllText(CommittedPath), out var diagnostic);

        Assert.Empty(diagnostic.Errors);
        var operations = document.Paths
            .SelectMany(p => p.Value.Operations.Select(o => (Verb: o.Key.ToString().ToUpperInvariant(), Path: p.Key, Operation: o.Value)))
            .ToList();
        var routes = GatewayRoutes.Discover();
        Assert.Equal(routes.Count, operations.Count);
        foreach (var route in routes)
        {
            var (_, _, operation) = Assert.Single(operations, o => o.Verb == route.Verb && Unnamed(o.Path) == Unnamed(route.Path));
            Assert.Equal(route.GrpcMethod.Split('.')[^1], operation.OperationId);
            Assert.Equal(route.Access != Access.Public, operation.Security.Any(s => s.Keys.Any(k => k.Reference.Id == GatewayOpenApi.BearerScheme)));
        }
    }

    [Fact]
    public void Bodies_and_answers_are_described_by_their_messages()
    {
        var document = new OpenApiStringReader().Read(File.ReadAllText(CommittedPath), out _);

        var checkout = document.Paths["/payments"].Operations[OperationType.Post];
        Assert.Equal("GoMicro.Payments.V1.CheckoutRequest", checkout.RequestBody.Content["application/json"].Schema.Reference.Id);
        Assert.Equal("GoMicro.Payments.V1.Payment", checkout.Responses["200"].Content["application/json"].Schema.Reference.Id);
        Assert.Contains("amountCents", document.Components.Schemas["GoMicro.Common.V1.Money"].Properties.Keys);
    }

    private static string Unnamed(string path) => System.Text.RegularExpressions.Regex.Replace(path, @"\{[^}]*\}", "{}");
}
