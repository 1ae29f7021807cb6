using System.CommandLine;
using System.Globalization;

namespace GoMicro.LoadGen;

/// <summary>
/// The command line (System.CommandLine): the load run is the root command; the
/// <c>prometheus-quantiles</c> subcommand reads a histogram from two /metrics scrapes.
/// </summary>
public static class LoadCommandLine
{
    public static RootCommand Build()
    {
        var gateway = new Option<Uri?>("--gateway") { Description = "One base address for every service (KrakenD); overrides the four below.", CustomParser = ParseUri };
        var users = Address("--users", "http://127.0.0.1:8080");
        var products = Address("--products", "http://127.0.0.1:8090");
        var basket = Address("--basket", "http://127.0.0.1:8092");
        var payments = Address("--payments", "http://127.0.0.1:8094");
        var scenario = new Option<string>("--scenario", "-s")
        {
            Description = "browse: a page of 20 then a product; product: GET /products/{id}; list: GET /products?pageSize=20; basket: GET /basket; checkout: pay then refill the basket; mixed: weighted shopper journeys.",
            DefaultValueFactory = _ => ScenarioNames.Mixed,
        };
        scenario.AcceptOnlyFromAmong(ScenarioNames.All);
        var shoppers = Bounded(new Option<int>("--shoppers", "--concurrency", "-c")
        {
            Description = "Closed loop: concurrent shoppers. Open loop: the most steps in flight (more arrivals are counted as missed).",
            DefaultValueFactory = _ => 16,
        }, 1, 1000);
        var rate = new Option<double>("--rate", "-r")
        {
            Description = "Open loop: steps started per second on a fixed timetable, each timed from its scheduled start. 0: closed loop.",
            DefaultValueFactory = _ => 0,
        };
        rate.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0 or > 100_000)
            {
                r.AddError("--rate must be 0 to 100000");
            }
        });
        var seconds = Bounded(new Option<int>("--seconds", "-d") { Description = "Measured duration (after the warm-up), 1 to 600.", DefaultValueFactory = _ => 30 }, 1, 600);
        var warmup = Bounded(new Option<int>("--warmup") { Description = "Seconds of load before the measurement, not counted, 0 to 120.", DefaultValueFactory = _ => 0 }, 0, 120);
        var maxRequests = Bounded(new Option<int>("--max-requests", "-n") { Description = "A cap on requests, warm-up included.", DefaultValueFactory = _ => 20_000 }, 1, 50_000_000);
        var adminEmail = new Option<string>("--admin-email") { Description = "The admin who creates the load catalog.", DefaultValueFactory = _ => "admin@gomicro.local" };
        var adminPassword = new Option<string>("--admin-password") { DefaultValueFactory = _ => "admin-password-1" };
        var catalog = Bounded(new Option<int>("--catalog") { Description = "Products the admin creates for basket, checkout and mixed (the public reads use the catalog as it is).", DefaultValueFactory = _ => 20 }, 1, 1000);
        var stock = Bounded(new Option<int>("--stock") { Description = "Stock of each created product.", DefaultValueFactory = _ => 1_000_000 }, 0, 1_000_000);
        var noSetup = new Option<bool>("--no-setup") { Description = "Create nothing and log in nobody: for tools/GoMicro.Ceiling (product, list, basket and browse only)." };
        var json = new Option<string?>("--json") { Description = "Write the result (per route: count, errors, req/s, percentiles) to this file." };
        var progress = new Option<bool?>("--progress") { Description = "The live line on stderr; by default only when stderr is a terminal." };

        var root = new RootCommand("A bounded load generator for GoMicro: closed loop (N shoppers) or open loop (--rate), HdrHistogram percentiles.")
        {
            gateway, users, products, basket, payments, scenario, shoppers, rate, seconds, warmup, maxRequests,
            adminEmail, adminPassword, catalog, stock, noSetup, json, progress,
        };
        root.Validators.Add(command =>
        {
            if (command.GetValue(noSetup) && command.GetValue(scenario) is ScenarioNames.Checkout or ScenarioNames.Mixed)
            {
                command.AddError("--no-setup serves only the read scenarios: browse, product, list, basket");
            }
        });
        root.SetAction((parse, cancel) =>
        {
            var through = parse.GetValue(gateway);
            var options = new LoadOptions
            {
                Users = through ?? parse.GetRequiredValue(users),
                Products = through ?? parse.GetRequiredValue(products),
                Basket = through ?? parse.GetRequiredValue(basket),
                Payments = through ?? parse.GetRequiredValue(payments),
                Scenario = parse.GetRequiredValue(scenario),
                Shoppers = parse.GetValue(shoppers),
                Rate = parse.GetValue(rate),
                Duration = TimeSpan.FromSeconds(parse.GetValue(seconds)),
                Warmup = TimeSpan.FromSeconds(parse.GetValue(warmup)),
                MaxRequests = parse.GetValue(maxRequests),
                AdminEmail = parse.GetRequiredValue(adminEmail),
                AdminPassword = parse.GetRequiredValue(adminPassword),
                CatalogSize = parse.GetValue(catalog),
                Stock = parse.GetValue(stock),
                NoSetup = parse.GetValue(noSetup),
                JsonFile = parse.GetValue(json),
                Progress = parse.GetValue(progress),
            };
            return LoadRun.RunAsync(options, cancel);
        });
        root.Add(PrometheusQuantiles());
        return root;
    }

    /// <summary>
    /// prometheus-quantiles --before A --after B --metric NAME [-q 0.5 -q 0.99]: prints
    /// "NAME count=N p50=X p99=Y" (seconds, the observations between the scrapes) or "NAME absent".
    /// </summary>
    private static Command PrometheusQuantiles()
    {
        var before = new Option<FileInfo?>("--before") { Description = "The earlier scrape (optional: without it, everything since the start)." };
        var after = new Option<FileInfo>("--after") { Description = "The later scrape.", Required = true };
        var metric = new Option<string>("--metric") { Description = "The histogram's name (without _bucket).", Required = true };
        var quantiles = new Option<double[]>("--quantile", "-q") { Description = "Quantiles, 0 to 1.", DefaultValueFactory = _ => [0.5, 0.99], AllowMultipleArgumentsPerToken = true };
        var command = new Command("prometheus-quantiles", "Quantiles of a Prometheus histogram between two /metrics scrapes, as histogram_quantile estimates them.")
        {
            before, after, metric, quantiles,
        };
        command.SetAction(parse =>
        {
            var name = parse.GetRequiredValue(metric);
            var earlierFile = parse.GetValue(before);
            var later = PrometheusHistogram.Parse(File.ReadAllText(parse.GetRequiredValue(after).FullName), name);
            var earlier = earlierFile is null ? null : PrometheusHistogram.Parse(File.ReadAllText(earlierFile.FullName), name);
            if (later is null)
            {
                Console.WriteLine($"{name} absent");
                return 0;
            }
            var delta = later.Minus(earlier);
            var parts = parse.GetRequiredValue(quantiles).Select(q =>
                string.Create(CultureInfo.InvariantCulture, $"p{q * 100:0.##}={delta.Quantile(q):0.######}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} count={delta.Count:0} {string.Join(' ', parts)}"));
            return 0;
        });
        return command;
    }

    private static Option<Uri> Address(string name, string local) =>
        new(name) { Description = "The service's HTTP base address.", DefaultValueFactory = _ => new Uri(local), CustomParser = ParseUri };

    private static Uri ParseUri(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }
        result.AddError($"{result.Parent?.ToString() ?? "address"}: an http:// or https:// address, not '{text}'");
        return null!;
    }

    private static Option<int> Bounded(Option<int> option, int min, int max)
    {
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < min || r.GetValueOrDefault<int>() > max)
            {
                r.AddError($"{option.Name} must be {min} to {max}");
            }
        });
        return option;
    }
}
