using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace GoMicro.Testing;

/// <summary>One JSON request as a client would send it, and what came back: status and parsed body.</summary>
public static class JsonHttp
{
    public static async Task<(HttpResponseMessage Response, JsonElement Body)> SendJsonAsync(
        this HttpClient client, HttpMethod method, string path, string? token = null, object? body = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }
        return await client.SendAsync(request).ParseAsync();
    }

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> ParseAsync(this Task<HttpResponseMessage> sending)
    {
        var response = await sending;
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.TrimStart().StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }
}
