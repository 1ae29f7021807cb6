namespace GoMicro.LoadGen;

/// <summary>
/// One shopper's weighted journeys, as Online Boutique's load generator does: mostly
/// browsing, some basket work, a few checkouts. Each checkout has its own idempotency key.
/// </summary>
public sealed class Journeys(ShopApi api, IReadOnlyList<string> catalog, Shopper shopper, Stats stats, RequestBudget budget)
{
    private static readonly (string Name, int Weight)[] Weights = [("browse", 45), ("product", 20), ("add", 20), ("basket", 10), ("checkout", 5)];
    private readonly Random _random = new(shopper.Token.GetHashCode(StringComparison.Ordinal));
    private static readonly TimeSpan ErrorPause = TimeSpan.FromMilliseconds(100);
    private int _linesInBasket;

    public async Task RunAsync(string scenario, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && budget.TryTake())
        {
            switch (scenario == "checkout" ? (_linesInBasket > 0 ? "checkout" : "add-one") : Pick())
            {
                case "browse":
                    await Record("GET /products", api.SendAsync(HttpMethod.Get, api.Products("/products?pageSize=20&sort=PRODUCT_SORT_PRICE"), null));
                    break;
                case "product":
                    await Record("GET /products/{id}", api.SendAsync(HttpMethod.Get, api.Products($"/products/{Any()}"), null));
                    break;
                case "add":
                    if (await Record("POST /basket", api.SendAsync(HttpMethod.Post, api.Basket("/basket"), shopper.Token, new { productId = Any(), quantity = _random.Next(1, 4) })))
                    {
                        _linesInBasket++;
                    }
                    break;
                case "add-one":
                    if (await Record("POST /basket", api.SendAsync(HttpMethod.Post, api.Basket("/basket"), shopper.Token, new { productId = Any(), quantity = 1 })))
                    {
                        _linesInBasket++;
                    }
                    break;
                case "basket":
                    await Record("GET /basket", api.SendAsync(HttpMethod.Get, api.Basket("/basket"), shopper.Token));
                    break;
                case "checkout" when _linesInBasket > 0:
                    var paid = await Record("POST /payments", api.SendAsync(HttpMethod.Post, api.Payments("/payments"), shopper.Token, new { paymentMethod = "tok_visa" }, Guid.NewGuid().ToString()));
                    if (paid || scenario == "checkout")
                    {
                        _linesInBasket = 0; // paid, or (sold out, a fault) start again with a fresh item
                    }
                    break;
                default:
                    break;
            }
        }
    }

    private string Any() => catalog[_random.Next(catalog.Count)];

    private string Pick()
    {
        var roll = _random.Next(Weights.Sum(w => w.Weight));
        foreach (var (name, weight) in Weights)
        {
            if ((roll -= weight) < 0)
            {
                return name;
            }
        }
        return Weights[0].Name;
    }

    private async Task<bool> Record(string route, Task<(int Status, System.Text.Json.JsonElement Body, TimeSpan Elapsed)> call)
    {
        var (status, _, elapsed) = await call;
        var ok = status is >= 200 and < 300;
        stats.Add(route, elapsed, ok, status);
        if (!ok)
        {
            await Task.Delay(ErrorPause); // a shopper who got an error waits a moment, as people do: no hot loop of errors during an outage
        }
        return ok;
    }
}
