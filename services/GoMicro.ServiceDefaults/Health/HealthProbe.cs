using GoMicro.ServiceDefaults.Hosting;

namespace GoMicro.ServiceDefaults.Health;

/// <summary>
/// `service healthcheck`: asks the running service's /healthz/ready on its own HTTP port and
/// exits 0 when ready. Chiseled images have no shell or curl, so a container health check
/// (docker compose) runs the service binary itself.
/// </summary>
public static class HealthProbe
{
    public static bool IsRequested(string[] args) => args is ["healthcheck"];

    public static async Task<int> RunAsync()
    {
        var port = Environment.GetEnvironmentVariable("Listen__HttpPort") is { Length: > 0 } configured ? configured : ListenOptions.DefaultHttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz/ready"));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return 1;
        }
    }
}
