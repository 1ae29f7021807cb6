using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace GoMicro.LoadGen;

/// <summary>A shopper; anonymous ones (no token) only read public routes, or talk to a target without auth.</summary>
public sealed record Shopper(string Name, string? Token);

/// <summary>The routes of DESIGN.md's table, over HTTP/JSON, timed.</summary>
public sealed class ShopApi(LoadOptions options) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Product ids of the catalog as it is (the first page of 100), for the read scenarios.</summary>
    public async Task<IReadOnlyList<string>> ListCatalogAsync()
    {
        var (status, body, _) = await SendAsync(HttpMethod.Get, new Uri(options.Products, "/products?pageSize=100"), null, readBody: true);
        EnsureOk(status, "list products");
        return body.TryGetProperty("products", out var products)
            ? [.. products.EnumerateArray().Select(p => p.GetProperty("id").GetString()!)]
            : [];
    }

    public async Task<IReadOnlyList<string>> SeedCatalogAsync(int products, int stock)
    {
        var admin = await LoginAsync(options.AdminEmail, options.AdminPassword);
        var ids = new List<string>();
        for (var i = 0; i < products; i++)
        {
            var (status, body, _) = await SendAsync(HttpMethod.Post, new Uri(options.Products, "/products"), admin,
                new { name = $"Load item {i} {Guid.NewGuid():N}", category = "load", price = new { amountCents = 100 + i, currency = "EUR" }, stock }, readBody: true);
            EnsureOk(status, "create product");
            ids.Add(body.GetProperty("id").GetString()!);
        }
        return ids;
    }

    public async Task<Shopper> NewShopperAsync()
    {
        var email = $"load-{Guid.NewGuid():N}@example.com";
        // Setting up, not measuring: a 503 (users' database answered too slowly while every
        // shopper registers at once on a busy machine) is tried again, at most three times; a 409
        // on a retry means the attempt that timed out had registered the shopper after all.
        var status = 0;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            (status, _, _) = await SendAsync(HttpMethod.Post, new Uri(options.Users, "/users"), null, new { email, password = "load-pass-1", displayName = "Load" });
            if (status != 503)
            {
                break;
            }
            await Task.Delay(TimeSpan.FromSeconds(attempt));
        }
        EnsureOk(status == 409 ? 200 : status, "register");
        return new Shopper(email, await LoginAsync(email, "load-pass-1"));
    }

    public Uri Products(string path) => new(options.Products, path);

    public Uri Basket(string path) => new(options.Basket, path);

    public Uri Payments(string path) => new(options.Payments, path);

    /// <summary>Sends one request; the elapsed time counts from <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp) when given.</summary>
    public async Task<(int Status, JsonElement Body, TimeSpan Elapsed)> SendAsync(HttpMethod method, Uri url, string? token, object? body = null, string? idempotencyKey = null, long? startedAt = null, bool readBody = false)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        var started = startedAt ?? Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request);
            var elapsed = Stopwatch.GetElapsedTime(started); // the body is buffered by now (ResponseContentRead)
            if (!readBody)
            {
                return ((int)response.StatusCode, default, elapsed); // parsing every answer would take CPU from the services on a small machine
            }
            var text = await response.Content.ReadAsStringAsync();
            using var document = text.TrimStart().StartsWith('{') ? JsonDocument.Parse(text) : null;
            return ((int)response.StatusCode, document?.RootElement.Clone() ?? default, elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (0, default, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<string> LoginAsync(string email, string password)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, new Uri(options.Users, "/users/login"), null, new { email, password }, readBody: true);
        EnsureOk(status, $"login {email}");
        return body.GetProperty("accessToken").GetString()!;
    }

    private static void EnsureOk(int status, string what)
    {
        if (status != 200)
        {
            throw new InvalidOperationException($"{what}: HTTP {status}");
        }
    }

    public void Dispose() => _http.Dispose();
}
