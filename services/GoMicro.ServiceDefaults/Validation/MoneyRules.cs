using System.Collections.Frozen;
using GoMicro.Common.V1;
using GoMicro.ServiceDefaults.Grpc;

namespace GoMicro.ServiceDefaults.Validation;

public static class MoneyRules
{
    /// <summary>Active ISO 4217 codes (the machine runs with invariant globalization, so no culture data to derive them from).</summary>
    public static readonly FrozenSet<string> Currencies = (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD " +
        "CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD " +
        "GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT " +
        "LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR " +
        "NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP " +
        "STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF " +
        "XPF YER ZAR ZMW ZWL").Split(' ').ToFrozenSet(StringComparer.Ordinal);

    /// <summary>A positive amount in an ISO 4217 currency; the message names <paramref name="field"/>.</summary>
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
        if (!Currencies.Contains(money.Currency ?? ""))
        {
            throw RpcErrors.InvalidArgument($"{field}.currency", "must be an ISO 4217 code in upper case, e.g. EUR");
        }
        return money;
    }
}
