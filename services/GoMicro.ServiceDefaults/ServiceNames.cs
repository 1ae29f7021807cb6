namespace GoMicro.ServiceDefaults;

/// <summary>
/// The four services' names: what their logs, traces and queues say, and the host name the
/// other services, the gateway and compose reach each one by (the operator prefixes the shop's
/// name). docker-compose.yml and krakend/krakend.json repeat them; tests fail when they differ.
/// </summary>
public static class ServiceNames
{
    public const string Users = "users";
    public const string Products = "products";
    public const string Basket = "basket";
    public const string Payments = "payments";

    public static readonly IReadOnlyList<string> All = [Users, Products, Basket, Payments];
}
