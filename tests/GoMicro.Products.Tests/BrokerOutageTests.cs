using System.Net;
using GoMicro.Events.V1;
using GoMicro.Products.Catalog;
using GoMicro.Testing;

namespace GoMicro.Products.Tests;

/// <summary>The service reaches RabbitMQ through a proxy the test can cut, as if the broker were stopped.</summary>
public sealed class BrokerOutageTests : IAsyncLifetime
{
    private readonly ProductsFixture _products = new();
    private TcpProxy _proxy = null!;
    private ServiceHost<ProductsGrpcService> _host = null!;

    public async ValueTask InitializeAsync()
    {
        await _products.InitializeAsync();
        var broker = new Uri(_products.Broker.Uri);
        _proxy = new TcpProxy(broker.Host, broker.Port);
        var settings = _products.Settings();
        settings["RabbitMq:Uri"] = new UriBuilder(broker) { Port = _proxy.Port }.Uri.ToString();
        await _products.Host.DisposeAsync();
        _host = new ServiceHost<ProductsGrpcService>(settings).Start();
    }

    [Fact]
    public async Task An_event_written_while_the_broker_is_down_is_delivered_when_it_returns()
    {
        using var http = _host.CreateHttpClient();
        using var channel = _host.CreateGrpcChannel();
        var grpc = new V1.ProductsService.ProductsServiceClient(channel);
        await Eventually.UntilAsync(async () => (await http.GetAsync("/healthz/ready")).StatusCode == HttpStatusCode.OK);

        _proxy.Cut();
        await Eventually.UntilAsync(async () => (await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/ready")).StatusCode); // requests are still served
        var created = await grpc.CreateProductAsync(new V1.CreateProductRequest
        {
            Name = "Written during the outage",
            Price = new Common.V1.Money { AmountCents = 1234, Currency = "EUR" },
            Stock = 7,
        }, _products.Admin);

        await Eventually.UntilAsync(async () => (await http.GetStringAsync("/metrics")).Contains("gomicro_outbox_pending 2", StringComparison.Ordinal));
        Assert.DoesNotContain(_products.Events.Seen<ProductCreated>(), e => e.Event.ProductId == created.Id);
        Assert.Equal(2, await _products.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"));

        _proxy.Restore();
        var seen = await _products.Events.WaitForAsync<ProductCreated>(e => e.Any(x => x.Event.ProductId == created.Id), TimeSpan.FromSeconds(60));
        Assert.Single(seen, x => x.Event.ProductId == created.Id);
        await Eventually.UntilAsync(async () => (await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK);
        Assert.Equal(0, await _products.Database.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _proxy.DisposeAsync();
        await _products.DisposeAsync();
    }
}
