namespace GoMicro.LoadGen;

public sealed record LoadOptions(Uri Users, Uri Products, Uri Basket, Uri Payments, TimeSpan Duration, int Shoppers, int MaxRequests, string AdminEmail, string AdminPassword,
    string Scenario = "mixed", int CatalogSize = 20, int Stock = 1_000_000)
{
    public static LoadOptions Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        var gateway = Get("--gateway", "");
        Uri Url(string name, string local) => new(gateway.Length > 0 ? gateway : Get(name, local));
        return new LoadOptions(
            Url("--users", "http://127.0.0.1:8080"),
            Url("--products", "http://127.0.0.1:8090"),
            Url("--basket", "http://127.0.0.1:8092"),
            Url("--payments", "http://127.0.0.1:8094"),
            TimeSpan.FromSeconds(Math.Clamp(int.Parse(Get("--seconds", "30"), System.Globalization.CultureInfo.InvariantCulture), 1, 600)),
            Math.Clamp(int.Parse(Get("--shoppers", "16"), System.Globalization.CultureInfo.InvariantCulture), 1, 500),
            Math.Clamp(int.Parse(Get("--max-requests", "20000"), System.Globalization.CultureInfo.InvariantCulture), 1, 1_000_000),
            Get("--admin-email", "admin@gomicro.local"),
            Get("--admin-password", "admin-password-1"),
            Get("--scenario", "mixed") is "mixed" or "checkout" ? Get("--scenario", "mixed") : throw new ArgumentException("--scenario: mixed or checkout"),
            Math.Clamp(int.Parse(Get("--catalog", "20"), System.Globalization.CultureInfo.InvariantCulture), 1, 1000),
            Math.Clamp(int.Parse(Get("--stock", "1000000"), System.Globalization.CultureInfo.InvariantCulture), 0, 1_000_000));
    }
}

/// <summary>A hard cap on requests across all shoppers.</summary>
public sealed class RequestBudget(int max)
{
    private int _used;

    public bool TryTake() => Interlocked.Increment(ref _used) <= max;
}
