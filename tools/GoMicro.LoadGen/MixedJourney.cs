namespace GoMicro.LoadGen;

/// <summary>The weights of the mixed scenario's journeys (Online Boutique's locustfile, in C#).</summary>
public static class MixedJourney
{
    public const string Browse = "browse", Product = "product", Add = "add", Basket = "basket", Checkout = "checkout";

    private static readonly (string Name, int Weight)[] Weights = [(Browse, 45), (Product, 20), (Add, 20), (Basket, 10), (Checkout, 5)];
    private static readonly int TotalWeight = Weights.Sum(w => w.Weight);

    public static string Pick(Random random)
    {
        var roll = random.Next(TotalWeight);
        foreach (var (name, weight) in Weights)
        {
            if ((roll -= weight) < 0)
            {
                return name;
            }
        }
        return Weights[0].Name;
    }
}
