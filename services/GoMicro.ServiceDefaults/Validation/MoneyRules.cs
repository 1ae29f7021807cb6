using System.Collections.Frozen;
using GoMicro.Common.V1;
using GoMicro.ServiceDefaults.Grpc;

namespace GoMicro.ServiceDefaults.Validation;

/// <summary>
/// What an amount of money may be, shared by every service that prices or totals one, so that
/// products, basket and payments agree on the limits.
/// </summary>
public static class MoneyRules
{
    /// <summary>
    /// The largest unit price: 1,000,000.00 in a currency with cents. With at most 99 of a
    /// product in a line and 100 lines a basket stays below 10^12 minor units, so no total
    /// computed from valid prices comes anywhere near <see cref="long.MaxValue"/>.
    /// </summary>
    public const long MaxPriceCents = 100_000_000;

    /// <summary>
    /// The most one basket, and so one payment, may come to: 100,000,000.00 in a currency with
    /// cents. Basket refuses to grow past it and checkout refuses to charge more.
    /// </summary>
    public const long MaxTotalCents = 10_000_000_000;

    /// <summary>
    /// Active ISO 4217 currency codes: <see cref="IsoCurrencies"/>, generated from the ISO list and
    /// Unicode CLDR by scripts/gen-currencies.sh (the machine runs with invariant globalization,
    /// so there is no culture data to derive them from).
    /// </summary>
    public static readonly FrozenSet<string> Currencies = IsoCurrencies.MinorUnits.Keys.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>A unit price: positive, at most <see cref="MaxPriceCents"/>, in an ISO 4217 currency; the message names <paramref name="field"/>.</summary>
    public static Money Positive(Money? money, string field)
    {
        if (money is null)
        {
            throw RpcErrors.InvalidArgument(field, "is required");
        }
        if (money.AmountCents <= 0)
        {
            throw RpcErrors.InvalidArgument($"{field}.amount_cents", "must be greater than 0 (minor units, e.g. 1999 for 19.99)");
        }
        if (money.AmountCents > MaxPriceCents)
        {
            throw RpcErrors.InvalidArgument($"{field}.amount_cents", $"must be at most {MaxPriceCents} (minor units: 1,000,000.00 in a currency with cents)");
        }
        if (!Currencies.Contains(money.Currency ?? ""))
        {
            throw RpcErrors.InvalidArgument($"{field}.currency", "must be an ISO 4217 code in upper case, e.g. EUR");
        }
        return money;
    }

    /// <summary>
    /// <paramref name="unitCents"/> × <paramref name="quantity"/>, or null when that is more than
    /// <see cref="MaxTotalCents"/> (a price stored before the maximum existed can be anything up
    /// to <see cref="long.MaxValue"/>). Checked: a product that would wrap round is refused, never
    /// answered as a wrong, even negative, amount.
    /// </summary>
    public static long? LineTotal(long unitCents, int quantity)
    {
        if (unitCents < 0 || quantity < 0)
        {
            return null;
        }
        // Division first, so the product is only taken when it fits below the maximum.
        return quantity == 0 || unitCents <= MaxTotalCents / quantity ? checked(unitCents * quantity) : null;
    }

    /// <summary>The sum of line totals, or null when it is more than <see cref="MaxTotalCents"/>.</summary>
    public static long? Total(IEnumerable<long> lineTotals)
    {
        var total = 0L;
        foreach (var line in lineTotals)
        {
            if (line is < 0 or > MaxTotalCents)
            {
                return null;
            }
            // Both terms are at most MaxTotalCents here, far below long.MaxValue: checked only says so.
            total = checked(total + line);
            if (total > MaxTotalCents)
            {
                return null;
            }
        }
        return total;
    }
}
