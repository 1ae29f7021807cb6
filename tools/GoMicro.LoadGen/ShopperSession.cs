using Polly;
using Polly.Retry;

namespace GoMicro.LoadGen;

/// <summary>
/// One shopper and what its basket holds; <see cref="StepAsync"/> runs one step of a scenario.
/// The first request of a step is timed from <c>startedAt</c> (the scheduled start in open
/// loop, so queueing in the generator is not hidden), later ones from their own start.
/// </summary>
public sealed class ShopperSession(ShopApi api, IReadOnlyList<string> catalog, Shopper shopper, Measurement measurement)
{
    private static readonly TimeSpan ErrorPause = TimeSpan.FromMilliseconds(100);
    private readonly Random _random = new(shopper.Name.GetHashCode(StringComparison.Ordinal));

    public int LinesInBasket { get; private set; }

    /// <summary>Requests the next step of the scenario sends, for the request budget.</summary>
    public static int RequestsPerStep(string scenario) => scenario is ScenarioNames.Browse or ScenarioNames.Checkout ? 2 : 1;

    /// <summary>Five tries, 1 s, 2 s, 3 s and 4 s apart, while the answer is not 200.</summary>
    private static readonly ResiliencePipeline<int> PrefillRetry = new ResiliencePipelineBuilder<int>()
        .AddRetry(new RetryStrategyOptions<int>
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is null && args.Outcome.Result != 200),
            MaxRetryAttempts = 4,
            BackoffType = DelayBackoffType.Linear,
            Delay = TimeSpan.FromSeconds(1),
        })
        .Build();

    /// <summary>Puts <paramref name="lines"/> products in the basket before the run (a few tries each: a busy machine may answer 503 at first).</summary>
    public async Task PrefillAsync(int lines)
    {
        // Different products for different shoppers: not every reservation on one hot row.
        var products = catalog.OrderBy(_ => _random.Next()).Take(lines).ToList();
        for (var i = 0; i < products.Count; i++)
        {
            var product = products[i];
            var status = await PrefillRetry.ExecuteAsync(async _ =>
            {
                var (answer, _, _) = await api.SendAsync(HttpMethod.Post, api.Basket("/basket"), shopper.Token, new { productId = product, quantity = 1 });
                return answer;
            });
            if (status != 200)
            {
                throw new InvalidOperationException($"prefill the basket: HTTP {status}");
            }
            LinesInBasket++;
        }
    }

    public async Task StepAsync(string scenario, long startedAt)
    {
        switch (scenario)
        {
            case ScenarioNames.Browse:
                await ListAsync("?pageSize=20&sort=PRODUCT_SORT_PRICE", startedAt);
                await ProductAsync(null);
                break;
            case ScenarioNames.Product:
                await ProductAsync(startedAt);
                break;
            case ScenarioNames.List:
                await ListAsync("?pageSize=20", startedAt);
                break;
            case ScenarioNames.Basket:
                await Record("GET /basket", api.SendAsync(HttpMethod.Get, api.Basket("/basket"), shopper.Token, startedAt: startedAt));
                break;
            case ScenarioNames.Checkout:
                if (LinesInBasket == 0)
                {
                    await AddAsync(1, startedAt); // the last refill failed: this step only refills
                    break;
                }
                await PayAsync(startedAt);
                LinesInBasket = 0; // paid, or refused (sold out, a fault): start again with a fresh item
                await AddAsync(1, null);
                break;
            default:
                await MixedStepAsync(startedAt);
                break;
        }
    }

    private async Task MixedStepAsync(long startedAt)
    {
        switch (MixedJourney.Pick(_random))
        {
            case MixedJourney.Browse:
                await ListAsync("?pageSize=20&sort=PRODUCT_SORT_PRICE", startedAt);
                break;
            case MixedJourney.Product:
                await ProductAsync(startedAt);
                break;
            case MixedJourney.Basket:
                await Record("GET /basket", api.SendAsync(HttpMethod.Get, api.Basket("/basket"), shopper.Token, startedAt: startedAt));
                break;
            case MixedJourney.Checkout when LinesInBasket > 0:
                if (await PayAsync(startedAt))
                {
                    LinesInBasket = 0;
                }
                break;
            default:
                await AddAsync(_random.Next(1, 4), startedAt);
                break;
        }
    }

    private Task<bool> ListAsync(string query, long? startedAt) =>
        Record("GET /products", api.SendAsync(HttpMethod.Get, api.Products("/products" + query), null, startedAt: startedAt));

    private Task<bool> ProductAsync(long? startedAt) =>
        Record("GET /products/{id}", api.SendAsync(HttpMethod.Get, api.Products($"/products/{Any()}"), null, startedAt: startedAt));

    private Task<bool> PayAsync(long startedAt) =>
        Record("POST /payments", api.SendAsync(HttpMethod.Post, api.Payments("/payments"), shopper.Token, new { paymentMethod = "tok_visa" }, Guid.NewGuid().ToString(), startedAt));

    private async Task AddAsync(int quantity, long? startedAt)
    {
        if (await Record("POST /basket", api.SendAsync(HttpMethod.Post, api.Basket("/basket"), shopper.Token, new { productId = Any(), quantity }, startedAt: startedAt)))
        {
            LinesInBasket++;
        }
    }

    private string Any() => catalog[_random.Next(catalog.Count)];

    private async Task<bool> Record(string route, Task<(int Status, System.Text.Json.JsonElement Body, TimeSpan Elapsed)> call)
    {
        var (status, _, elapsed) = await call;
        var ok = status is >= 200 and < 300;
        measurement.Current.Add(route, elapsed, ok, status);
        if (!ok)
        {
            await Task.Delay(ErrorPause); // a shopper who got an error waits a moment, as people do: no hot loop of errors during an outage
        }
        return ok;
    }
}
