using System.Diagnostics;
using GoMicro.LoadGen;

// dotnet run --project tools/GoMicro.LoadGen -c Release -- [--gateway URL | --users URL --products URL --basket URL --payments URL]
//   [--seconds 30] [--shoppers 16] [--max-requests 20000] [--scenario mixed|checkout] [--catalog 20] [--stock 1000000]
// "checkout" is the money path only: each shopper puts one random item in the basket and pays, again and again.
// Every loop is bounded by time and by a request cap. Exit code 1 when any request failed.
var options = LoadOptions.Parse(args);
Console.WriteLine($"GoMicro load ({options.Scenario}): {options.Shoppers} shoppers for at most {options.Duration.TotalSeconds:0} s or {options.MaxRequests} requests");

using var api = new ShopApi(options);
var catalog = await api.SeedCatalogAsync(options.CatalogSize, options.Stock);
var shoppers = await Task.WhenAll(Enumerable.Range(0, options.Shoppers).Select(_ => api.NewShopperAsync()));

var stats = new Stats();
var budget = new RequestBudget(options.MaxRequests);
using var stop = new CancellationTokenSource(options.Duration);
var clock = Stopwatch.StartNew();
await Task.WhenAll(shoppers.Select(shopper => new Journeys(api, catalog, shopper, stats, budget).RunAsync(options.Scenario, stop.Token)));
clock.Stop();

stats.Print(clock.Elapsed);
return stats.Errors == 0 ? 0 : 1;
