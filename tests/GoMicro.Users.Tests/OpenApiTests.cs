using System.Net;
using System.Text.Json;
using GoMicro.ServiceDefaults.Grpc;
using GoMicro.Testing;
using GoMicro.Users.Accounts;

namespace GoMicro.Users.Tests;

/// <summary>
/// A service in Development describes its JSON routes in an OpenAPI document generated from its
/// proto (the same ServiceDefaults setup every service shares); in production it serves none.
/// </summary>
public sealed class OpenApiTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    [Fact]
    public async Task In_development_the_service_serves_an_OpenAPI_document_of_its_JSON_routes()
    {
        await using var host = new ServiceHost<UsersGrpcService>(users.Settings(), environment: "Development").Start();
        using var http = host.CreateHttpClient();

        using var response = await http.GetAsync(OpenApiSetup.DocumentPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        var login = paths.GetProperty("/users/login").GetProperty("post");
        Assert.Equal("Login", login.GetProperty("operationId").GetString());
        // The proto's comment on the method, carried over.
        Assert.Contains("access token", login.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(["/users", "/users/login", "/users/me"], paths.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Outside_development_there_is_no_document()
    {
        using var response = await users.Http.GetAsync(OpenApiSetup.DocumentPath);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
