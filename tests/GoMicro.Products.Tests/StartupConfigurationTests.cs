using GoMicro.Products.Catalog;
using GoMicro.Testing;

namespace GoMicro.Products.Tests;

/// <summary>Products refuses to start without a usable key for payments, and names the variable.</summary>
public sealed class StartupConfigurationTests(ProductsFixture products) : IClassFixture<ProductsFixture>
{
    [Theory]
    [InlineData("")]
    [InlineData("short-key")]
    [InlineData("REPLACE-service-keys")] // the placeholder of a rendered shop's Secret
    public void A_missing_or_short_payments_key_stops_start_up_with_the_variable_name(string key)
    {
        var settings = products.Settings();
        settings["ServiceKeys:Payments"] = key;

        var error = Record.Exception(() => new ServiceHost<ProductsGrpcService>(settings).Start());

        Assert.NotNull(error);
        Assert.Contains("ServiceKeys__Payments", error.ToString(), StringComparison.Ordinal);
    }
}
