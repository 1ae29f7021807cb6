using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Xunit;

namespace GoMicro.Testing;

/// <summary>A RabbitMQ virtual host of its own for one test class, deleted afterwards.</summary>
public sealed class RabbitMqVhost : IAsyncLifetime
{
    private HttpClient? _management;

    public string Name { get; } = "t_" + Guid.NewGuid().ToString("N");

    /// <summary>amqp://user:pass@host:port/vhost</summary>
    public string Uri { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var (amqp, management) = await TestDependencies.RabbitMqAsync();
        var baseUri = new Uri(management);
        _management = new HttpClient { BaseAddress = new Uri(baseUri.GetLeftPart(UriPartial.Authority) + "/") };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(System.Uri.UnescapeDataString(baseUri.UserInfo))));

        (await _management.PutAsync($"api/vhosts/{Name}", null)).EnsureSuccessStatusCode();
        var user = System.Uri.UnescapeDataString(baseUri.UserInfo.Split(':')[0]);
        (await _management.PutAsJsonAsync($"api/permissions/{Name}/{user}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        Uri = new UriBuilder(amqp) { Path = "/" + Name }.Uri.ToString();
    }

    /// <summary>A queue's declared arguments, as the management API reports them.</summary>
    public async Task<System.Text.Json.JsonElement> QueueArgumentsAsync(string queue)
    {
        var body = await _management!.GetFromJsonAsync<System.Text.Json.JsonElement>($"api/queues/{Name}/{System.Uri.EscapeDataString(queue)}");
        return body.GetProperty("arguments");
    }

    public async ValueTask DisposeAsync()
    {
        if (_management is not null)
        {
            await _management.DeleteAsync($"api/vhosts/{Name}");
            _management.Dispose();
        }
    }
}
