using System.Diagnostics;

namespace GoMicro.LoadGen;

/// <summary>Sets up the catalog and the shoppers, runs the scenario (with its warm-up), reports.</summary>
public static class LoadRun
{
    public static async Task<int> RunAsync(LoadOptions options, CancellationToken cancel)
    {
        var mode = options.OpenLoop ? $"open loop at {options.Rate:0.#}/s, at most {options.Shoppers} outstanding" : $"closed loop, {options.Shoppers} shoppers";
        await Console.Error.WriteLineAsync($"GoMicro load ({options.Scenario}, {mode}): {options.Warmup.TotalSeconds:0} s warm-up, then at most {options.Duration.TotalSeconds:0} s or {options.MaxRequests} requests");

        using var api = new ShopApi(options);
        var catalog = await CatalogAsync(api, options);
        var tokens = await ShoppersAsync(api, options);
        var measurement = new Measurement();
        var sessions = tokens.Select(shopper => new ShopperSession(api, catalog, shopper, measurement)).ToList();
        var lines = ScenarioNames.PrefilledLines(options.Scenario);
        if (lines > 0 && !options.NoSetup)
        {
            await Task.WhenAll(sessions.Select(s => s.PrefillAsync(lines)));
        }

        var budget = new RequestBudget(options.MaxRequests);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        stop.CancelAfter(options.Warmup + options.Duration);
        var openLoop = options.OpenLoop ? new OpenLoop(sessions, options.Scenario, options.Rate, measurement) : null;
        using var progressStop = new CancellationTokenSource();
        var progress = ProgressLine.ShouldShow(options.Progress)
            ? new ProgressLine(measurement, openLoop is null ? null : () => openLoop.Outstanding).RunAsync(progressStop.Token)
            : Task.CompletedTask;
        var warmup = Task.CompletedTask;
        if (options.Warmup > TimeSpan.Zero)
        {
            measurement.BeginWarmup();
            warmup = Task.Delay(options.Warmup, stop.Token).ContinueWith(_ => measurement.EndWarmup(), TaskScheduler.Default);
        }

        var run = openLoop is not null ? openLoop.RunAsync(budget, stop.Token) : ClosedLoop.RunAsync(sessions, options.Scenario, budget, stop.Token);
        await run;
        var measured = measurement.WarmingUp ? TimeSpan.Zero : measurement.Elapsed;
        await progressStop.CancelAsync();
        await progress;
        await warmup;

        var stats = measurement.Current;
        var result = RunResult.From(options, stats, measurement.Warmup, measured);
        ResultTable.Print(result, stats, Console.Out);
        if (options.JsonFile is not null)
        {
            await result.WriteJsonAsync(options.JsonFile);
        }
        return stats.Errors == 0 ? 0 : 1;
    }

    private static async Task<IReadOnlyList<string>> CatalogAsync(ShopApi api, LoadOptions options)
    {
        if (options.NoSetup)
        {
            return [.. Enumerable.Range(0, options.CatalogSize).Select(_ => Guid.CreateVersion7().ToString())];
        }
        if (!ScenarioNames.NeedsOwnCatalog(options.Scenario))
        {
            var existing = await api.ListCatalogAsync();
            if (existing.Count > 0)
            {
                return existing;
            }
        }
        return await api.SeedCatalogAsync(options.CatalogSize, options.Stock);
    }

    private static async Task<IReadOnlyList<Shopper>> ShoppersAsync(ShopApi api, LoadOptions options)
    {
        if (options.NoSetup || !ScenarioNames.NeedsAccounts(options.Scenario))
        {
            return [.. Enumerable.Range(0, options.Shoppers).Select(i => new Shopper($"anonymous-{i}", null))];
        }
        var clock = Stopwatch.StartNew();
        var shoppers = await Task.WhenAll(Enumerable.Range(0, options.Shoppers).Select(_ => api.NewShopperAsync()));
        await Console.Error.WriteLineAsync($"{shoppers.Length} shoppers registered in {clock.Elapsed.TotalSeconds:0.0} s");
        return shoppers;
    }
}
