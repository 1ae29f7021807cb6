using System.Reflection;
using GoMicro.ServiceDefaults;
using GoMicro.ServiceDefaults.Auth;
using GoMicro.ServiceDefaults.Grpc;
using GoMicro.ServiceDefaults.Hosting;
using Google.Api;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Authorization;

namespace GoMicro.Gateway;

public enum Access
{
    Public,
    Authenticated,
    Admin,
}

/// <summary>One HTTP route a service serves (from its proto's google.api.http rule) and who may call it.</summary>
public sealed record GatewayRoute(string Service, string Verb, string Path, Access Access, IReadOnlyList<string> QueryStrings, string GrpcMethod, TimeSpan? Timeout = null)
{
    public string Backend => $"http://{Service}:{ListenOptions.DefaultHttpPort}";
}

public sealed record BackendService(string Name, ServiceDescriptor Proto, Type Implementation);

public static class GatewayRoutes
{
    /// <summary>The services behind the gateway: their name (the host name in compose and Kubernetes), proto and implementation.</summary>
    public static readonly IReadOnlyList<BackendService> Services =
    [
        new(ServiceNames.Users, Users.V1.UsersService.Descriptor, typeof(Users.Accounts.UsersGrpcService)),
        new(ServiceNames.Products, Products.V1.ProductsService.Descriptor, typeof(Products.Catalog.ProductsGrpcService)),
        new(ServiceNames.Basket, Basket.V1.BasketService.Descriptor, typeof(Basket.Items.BasketGrpcService)),
        new(ServiceNames.Payments, Payments.V1.PaymentsService.Descriptor, typeof(Payments.Checkout.PaymentsGrpcService)),
    ];

    /// <summary>Every annotated method of every service; methods without an HTTP rule (GetProducts) are gRPC-only and stay internal.</summary>
    public static IReadOnlyList<GatewayRoute> Discover() =>
        [.. Services.SelectMany(service => service.Proto.Methods
            .Select(method => (method, rule: method.GetOptions()?.GetExtension(AnnotationsExtensions.Http)))
            .Where(m => m.rule is not null && m.rule.PatternCase != HttpRule.PatternOneofCase.None)
            .Select(m => Route(service, m.method, m.rule!)))];

    private static GatewayRoute Route(BackendService service, MethodDescriptor method, HttpRule rule)
    {
        var (verb, path) = rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => ("GET", rule.Get),
            HttpRule.PatternOneofCase.Post => ("POST", rule.Post),
            HttpRule.PatternOneofCase.Put => ("PUT", rule.Put),
            HttpRule.PatternOneofCase.Delete => ("DELETE", rule.Delete),
            HttpRule.PatternOneofCase.Patch => ("PATCH", rule.Patch),
            _ => throw new NotSupportedException($"{method.FullName}: custom HTTP verbs are not routed"),
        };
        // Fields neither in the path nor in the body arrive as query parameters (by JSON name).
        var query = rule.Body == "*"
            ? []
            : method.InputType.Fields.InDeclarationOrder()
                .Where(f => !path.Contains("{" + f.Name + "}", StringComparison.Ordinal) && f.Name != rule.Body)
                .Select(f => f.JsonName)
                .ToList();
        return new GatewayRoute(service.Name, verb, path, AccessOf(service.Implementation, method.Name), query, method.FullName, TimeoutOf(service.Implementation, method.Name));
    }

    private static TimeSpan? TimeoutOf(Type implementation, string methodName) =>
        implementation.GetMethod(methodName, BindingFlags.Public | BindingFlags.Instance)?.GetCustomAttribute<GatewayTimeoutAttribute>()?.Timeout;

    /// <summary>Read from the attributes ASP.NET Core enforces, so the gateway can never be laxer than the service.</summary>
    private static Access AccessOf(Type implementation, string methodName)
    {
        var handler = implementation.GetMethod(methodName, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"{implementation.Name} does not implement {methodName}");
        if (handler.GetCustomAttribute<AllowAnonymousAttribute>() is not null)
        {
            return Access.Public;
        }
        var authorize = handler.GetCustomAttributes<AuthorizeAttribute>().Concat(implementation.GetCustomAttributes<AuthorizeAttribute>()).ToList();
        return authorize.Count == 0 ? Access.Public
            : authorize.Any(a => a.Policy == Roles.Admin || a.Roles?.Contains(Roles.Admin, StringComparison.Ordinal) == true) ? Access.Admin
            : Access.Authenticated;
    }
}
