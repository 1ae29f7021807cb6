using System.Net;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using GoMicro.Testing;
using Grpc.Core;

namespace GoMicro.EndToEnd.Tests;

/// <summary>
/// Every public route of DESIGN.md's table, over HTTP/JSON and over gRPC, called as nobody, as
/// customer A, as customer B holding A's ids, and as an admin. The expected answer of every
/// cell is written down in <see cref="Matrix"/>; any other answer fails. Someone else's id is a
/// 404, never a 403: an id reveals nothing.
/// </summary>
public sealed class AuthorizationMatrixTests(ShopFixture shop) : IClassFixture<ShopFixture>
{
    private const int Ok = 200, Unauthenticated = 401, Forbidden = 403, NotFound = 404, Precondition = 412;

    /// <summary>
    /// service, gRPC method, HTTP verb and path, request JSON (the gRPC request, and the HTTP
    /// body where the route has one); then the answers for anonymous, A, B (with A's ids), admin.
    /// {product}, {version} (the product's current one), {doomed} (a product made for this row,
    /// deleted by it), {payment} (A's) and {email} (new each time) are filled in per call.
    /// </summary>
    private static readonly (string Service, string Method, string Verb, string Path, string Request, int[] Answers)[] Matrix =
    [
        ("users", "Register", "POST", "/users", """{"email":"{email}","password":"s3cret-pass","displayName":"M"}""", [Ok, Ok, Ok, Ok]),
        ("users", "GetMe", "GET", "/users/me", "{}", [Unauthenticated, Ok, Ok, Ok]),
        ("users", "UpdateMe", "PUT", "/users/me", """{"displayName":"Renamed"}""", [Unauthenticated, Ok, Ok, Ok]),
        ("users", "ListUsers", "GET", "/users", "{}", [Unauthenticated, Forbidden, Forbidden, Ok]),
        ("products", "ListProducts", "GET", "/products", "{}", [Ok, Ok, Ok, Ok]),
        ("products", "GetProduct", "GET", "/products/{product}", """{"id":"{product}"}""", [Ok, Ok, Ok, Ok]),
        ("products", "CreateProduct", "POST", "/products", """{"name":"Matrix {email}","price":{"amountCents":100,"currency":"EUR"},"stock":1}""", [Unauthenticated, Forbidden, Forbidden, Ok]),
        ("products", "UpdateProduct", "PUT", "/products/{product}", """{"id":"{product}","name":"Matrix product","price":{"amountCents":100,"currency":"EUR"},"stock":5,"version":{version}}""", [Unauthenticated, Forbidden, Forbidden, Ok]),
        ("products", "DeleteProduct", "DELETE", "/products/{doomed}", """{"id":"{doomed}"}""", [Unauthenticated, Forbidden, Forbidden, Ok]),
        ("basket", "GetBasket", "GET", "/basket", "{}", [Unauthenticated, Ok, Ok, Ok]),
        ("basket", "SetItem", "POST", "/basket", """{"productId":"{product}","quantity":1}""", [Unauthenticated, Ok, Ok, Ok]),
        ("basket", "RemoveItem", "DELETE", "/basket/items/{product}", """{"productId":"{product}"}""", [Unauthenticated, Ok, Ok, Ok]),
        ("basket", "ClearBasket", "DELETE", "/basket", "{}", [Unauthenticated, Ok, Ok, Ok]),
        // Every basket is empty by now: checkout is refused for want of lines, not of rights.
        ("payments", "Checkout", "POST", "/payments", """{"paymentMethod":"tok_visa"}""", [Unauthenticated, Precondition, Precondition, Precondition]),
        ("payments", "GetPayment", "GET", "/payments/{payment}", """{"id":"{payment}"}""", [Unauthenticated, Ok, NotFound, Ok]),
        ("payments", "ListPayments", "GET", "/payments", "{}", [Unauthenticated, Ok, Ok, Ok]),
    ];

    private static readonly string[] CallerNames = ["anonymous", "A", "B (with A's ids)", "admin"];

    private static readonly Dictionary<string, ServiceDescriptor> Services = new()
    {
        ["users"] = GoMicro.Users.V1.UsersService.Descriptor,
        ["products"] = GoMicro.Products.V1.ProductsService.Descriptor,
        ["basket"] = GoMicro.Basket.V1.BasketService.Descriptor,
        ["payments"] = GoMicro.Payments.V1.PaymentsService.Descriptor,
    };

    [Theory]
    [InlineData("HTTP")]
    [InlineData("gRPC")]
    public async Task Every_route_answers_each_kind_of_caller_as_the_matrix_says(string protocol)
    {
        var (_, a) = await shop.NewCustomerAsync();
        var (_, b) = await shop.NewCustomerAsync();
        var admin = await shop.AdminTokenAsync();
        var product = await shop.CreateProductAsync(stock: 10);
        await shop.AddToBasketAsync(a, product, 1);
        var (paid, payment) = await shop.CheckoutAsync(a, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        var paymentId = payment.GetProperty("id").GetString()!;
        string?[] callers = [null, a, b, admin];

        List<string> wrong = [];
        foreach (var (service, method, verb, path, request, answers) in Matrix)
        {
            var doomed = method == "DeleteProduct" ? await shop.CreateProductAsync(stock: 1) : product;
            for (var i = 0; i < callers.Length; i++)
            {
                var version = (await ShopFixture.SendAsync(shop.Products, HttpMethod.Get, $"/products/{product}", null)).Body.GetProperty("version").GetUInt32();
                string Fill(string text) => text.Replace("{version}", version.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("{product}", product, StringComparison.Ordinal).Replace("{doomed}", doomed, StringComparison.Ordinal)
                    .Replace("{payment}", paymentId, StringComparison.Ordinal).Replace("{email}", $"m-{Guid.NewGuid():N}@example.com", StringComparison.Ordinal);
                var filled = Fill(request);
                var answer = protocol == "HTTP"
                    ? await HttpAsync(service, verb, Fill(path), callers[i], filled)
                    : await GrpcAsync(service, method, callers[i], filled);
                if (answer != answers[i])
                {
                    wrong.Add($"{service}.{method} ({verb} {path}) as {CallerNames[i]}: {answer}, expected {answers[i]}");
                }
            }
        }
        Assert.True(wrong.Count == 0, $"{protocol}:\n{string.Join("\n", wrong)}");
    }

    /// <summary>
    /// The gRPC-only methods payments calls on products hold stock: no caller but payments (its
    /// service key beside the buyer's token) may use them, not even an admin.
    /// </summary>
    [Fact]
    public async Task Only_payments_may_reserve_or_release_stock_whoever_the_caller_is()
    {
        var (_, a) = await shop.NewCustomerAsync();
        var admin = await shop.AdminTokenAsync();
        var product = await shop.CreateProductAsync(stock: 10);
        var payment = Guid.NewGuid();
        var reserve = $$"""{"paymentId":"{{payment}}","lines":[{"productId":"{{product}}","quantity":4}]}""";
        var release = $$"""{"paymentId":"{{payment}}"}""";

        int[] answers = [
            await GrpcAsync("products", "ReserveStock", null, reserve), await GrpcAsync("products", "ReserveStock", a, reserve), await GrpcAsync("products", "ReserveStock", admin, reserve),
            await GrpcAsync("products", "ReleaseStock", null, release), await GrpcAsync("products", "ReleaseStock", a, release), await GrpcAsync("products", "ReleaseStock", admin, release),
        ];

        Assert.Equal([Unauthenticated, Forbidden, Forbidden, Unauthenticated, Forbidden, Forbidden], answers);
        Assert.Equal(10, (await ShopFixture.SendAsync(shop.Products, HttpMethod.Get, $"/products/{product}", null)).Body.GetProperty("stock").GetInt32());
    }

    [Fact]
    public async Task A_customer_lists_only_their_own_payments_and_basket()
    {
        var (_, a) = await shop.NewCustomerAsync();
        var (_, b) = await shop.NewCustomerAsync();
        var product = await shop.CreateProductAsync(stock: 10);
        await shop.AddToBasketAsync(a, product, 2);
        var (_, payment) = await shop.CheckoutAsync(a, Guid.NewGuid().ToString());
        await shop.AddToBasketAsync(a, product, 1);

        var (_, list) = await ShopFixture.SendAsync(shop.Payments, HttpMethod.Get, "/payments", b);
        Assert.DoesNotContain(payment.GetProperty("id").GetString()!, list.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, await shop.BasketLinesAsync(b));
        Assert.Equal(1, await shop.BasketLinesAsync(a));
    }

    private async Task<int> HttpAsync(string service, string verb, string path, string? token, string body)
    {
        var method = new HttpMethod(verb);
        object? content = verb is "POST" or "PUT" ? JsonSerializer.Deserialize<JsonElement>(body) : null;
        var headers = verb == "POST" && service == "payments" ? new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() } : null;
        var (response, _) = await shop.ClientFor(service).SendJsonAsync(method, path, token, content, headers);
        return (int)response.StatusCode;
    }

    /// <summary>A unary call built from the service's descriptor, so the matrix needs no code per method.</summary>
    private async Task<int> GrpcAsync(string service, string name, string? token, string json)
    {
        var descriptor = Services[service].Methods.Single(m => m.Name == name);
        var request = JsonParser.Default.Parse(json, descriptor.InputType);
        var method = new Method<IMessage, IMessage>(MethodType.Unary, Services[service].FullName, name,
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => descriptor.InputType.Parser.ParseFrom(bytes)),
            Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => descriptor.OutputType.Parser.ParseFrom(bytes)));
        var headers = new Metadata();
        if (token is not null)
        {
            headers.Add("authorization", $"Bearer {token}");
        }
        if (name == "Checkout")
        {
            headers.Add("idempotency-key", Guid.NewGuid().ToString());
        }
        try
        {
            await shop.Channels[service].CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(headers), request);
            return Ok;
        }
        catch (RpcException e)
        {
            return e.StatusCode switch
            {
                StatusCode.Unauthenticated => Unauthenticated,
                StatusCode.PermissionDenied => Forbidden,
                StatusCode.NotFound => NotFound,
                StatusCode.FailedPrecondition => Precondition,
                StatusCode.InvalidArgument => 400,
                _ => 500 + (int)e.StatusCode,
            };
        }
    }
}
