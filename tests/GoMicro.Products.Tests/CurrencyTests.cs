using System.Net;
using GoMicro.Common.V1;
using GoMicro.ServiceDefaults.Validation;
using Grpc.Core;

namespace GoMicro.Products.Tests;

/// <summary>
/// The currencies a price may be in come from the ISO 4217 list (scripts/gen-currencies.sh), not
/// from a hand-kept list: the cases that list once got wrong are pinned here.
/// </summary>
public sealed class CurrencyTests(ProductsFixture products) : IClassFixture<ProductsFixture>
{
    [Theory]
    [InlineData("ZWG")] // Zimbabwe Gold, since 2024
    [InlineData("XCG")] // Caribbean guilder (Curaçao, Sint Maarten), since 2025
    [InlineData("VED")] // Bolívar Soberano
    [InlineData("EUR")]
    [InlineData("JPY")]
    public void A_current_currency_is_accepted(string currency) =>
        Assert.Same(currency, MoneyRules.Positive(new Money { AmountCents = 100, Currency = currency }, "price").Currency);

    [Theory]
    [InlineData("ZWL")] // withdrawn 2024
    [InlineData("ANG")] // withdrawn 2025, replaced by XCG
    [InlineData("XAU")] // gold: a code without minor units, not a currency to price in
    [InlineData("USN")] // a fund code
    [InlineData("XXX")]
    [InlineData("eur")]
    [InlineData("")]
    public void A_withdrawn_or_unknown_currency_is_invalid_argument_naming_the_field(string currency)
    {
        var error = Assert.Throws<RpcException>(() => MoneyRules.Positive(new Money { AmountCents = 100, Currency = currency }, "price"));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("price.currency", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("EUR", 2)]
    [InlineData("JPY", 0)]
    [InlineData("BHD", 3)]
    [InlineData("CLP", 0)]
    [InlineData("XCG", 2)]
    [InlineData("ZWG", 2)]
    public void Minor_units_come_from_the_list(string currency, int decimals) =>
        Assert.Equal(decimals, IsoCurrencies.MinorUnits[currency]);

    [Fact]
    public async Task A_product_priced_in_a_new_currency_is_created_and_one_in_a_withdrawn_currency_is_400()
    {
        var admin = products.Identity.AdminToken();
        var (created, body) = await products.SendAsync(HttpMethod.Post, "/products",
            new { name = "Curaçao Hammock", price = new { amountCents = 4500, currency = "XCG" }, stock = 1 }, admin);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("XCG", body.GetProperty("price").GetProperty("currency").GetString());

        var (refused, _) = await products.SendAsync(HttpMethod.Post, "/products",
            new { name = "Harare Hammock", price = new { amountCents = 4500, currency = "ZWL" }, stock = 1 }, admin);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }
}
