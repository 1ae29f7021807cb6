using System.Net;
using GoMicro.ServiceDefaults.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GoMicro.Products.Tests;

/// <summary>Payments' client presents its key once per attempt: a retried call carried it twice and products refused it.</summary>
public sealed class ServiceKeyClientTests
{
    private sealed class Recorder : HttpMessageHandler
    {
        public List<string[]> Keys { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Keys.Add(request.Headers.TryGetValues(ServiceKeys.Header, out var values) ? [.. values] : []);
            // The first attempt fails the way an overloaded service does; the retry succeeds.
            return Task.FromResult(new HttpResponseMessage(Keys.Count == 1 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK));
        }
    }

    [Fact]
    public async Task A_retried_request_carries_the_key_exactly_once()
    {
        var key = new string('k', 64);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ServiceKeys:Payments"] = key }).Build();
        var recorder = new Recorder();
        var services = new ServiceCollection();
        services.AddHttpClient("products")
            .ConfigurePrimaryHttpMessageHandler(() => recorder)
            .AddStandardResilienceHandler(o => o.Retry.Delay = TimeSpan.FromMilliseconds(1)).Services.AddHttpClient("products")
            .PresentServiceKey(configuration, ServiceKeys.Payments);
        using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("products").GetAsync(new Uri("http://127.0.0.1:9/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, recorder.Keys.Count);
        Assert.All(recorder.Keys, keys => Assert.Equal([key], keys));
    }
}
