using System.Net;
using GoMicro.Testing;

namespace GoMicro.Products.Tests;

/// <summary>
/// Fast successful reads are the hot path and are not written one line each (metrics count
/// them); writes and refusals always are.
/// </summary>
public sealed class RequestLogTests(ProductsFixture products) : IClassFixture<ProductsFixture>
{
    [Fact]
    public async Task A_fast_successful_read_writes_no_request_line_but_a_write_and_a_refusal_do()
    {
        var product = await products.CreateAsync();
        var missing = Guid.NewGuid();
        var (read, _) = await products.SendAsync(HttpMethod.Get, $"/products/{product.Id}");
        var (refused, _) = await products.SendAsync(HttpMethod.Get, $"/products/{missing}");
        var doomed = await products.CreateAsync();
        var (written, _) = await products.SendAsync(HttpMethod.Delete, $"/products/{doomed.Id}", token: products.Identity.AdminToken());
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.OK), (read.StatusCode, refused.StatusCode, written.StatusCode));

        // Serilog's request line names the path: "HTTP GET /products/… responded 200".
        bool Logged(string path, string method) => CapturedLogs.All.Any(l => l.Contains($"\"RequestPath\":\"{path}\"", StringComparison.Ordinal) && l.Contains($"\"RequestMethod\":\"{method}\"", StringComparison.Ordinal));
        await Eventually.UntilAsync(() => Task.FromResult(Logged($"/products/{missing}", "GET") && Logged($"/products/{doomed.Id}", "DELETE")), what: "the refusal and the write are logged");
        Assert.False(Logged($"/products/{product.Id}", "GET"), "a fast successful read was written to the log");
    }
}
