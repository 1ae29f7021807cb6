namespace GoMicro.LoadGen;

/// <summary>
/// The scenarios, by name. A step is one unit of a scenario: what a closed-loop shopper does
/// before it starts again, and what one open-loop arrival starts.
/// </summary>
public static class ScenarioNames
{
    /// <summary>GET /products (a page of 20, by price), then GET /products/{id}.</summary>
    public const string Browse = "browse";

    /// <summary>GET /products/{id}.</summary>
    public const string Product = "product";

    /// <summary>GET /products?pageSize=20.</summary>
    public const string List = "list";

    /// <summary>GET /basket (each shopper's basket holds three lines).</summary>
    public const string Basket = "basket";

    /// <summary>POST /payments for the one line in the basket, then POST /basket to put the next one in.</summary>
    public const string Checkout = "checkout";

    /// <summary>Weighted shopper journeys, as Online Boutique's load generator: mostly browsing, some basket work, a few checkouts.</summary>
    public const string Mixed = "mixed";

    public static readonly string[] All = [Browse, Product, List, Basket, Checkout, Mixed];

    /// <summary>Public reads need no account.</summary>
    public static bool NeedsAccounts(string scenario) => scenario is Basket or Checkout or Mixed;

    /// <summary>Baskets and writes need products of known stock, made by the admin (a sample product may be sold out).</summary>
    public static bool NeedsOwnCatalog(string scenario) => scenario is Basket or Checkout or Mixed;

    /// <summary>Lines put in each shopper's basket before the run.</summary>
    public static int PrefilledLines(string scenario) => scenario switch
    {
        Basket => 3,
        Checkout => 1,
        _ => 0,
    };
}
