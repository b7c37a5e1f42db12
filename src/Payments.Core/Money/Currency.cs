using System.Collections.Frozen;

namespace Payments.Core.Money;

/// <summary>An ISO 4217 currency with the number of digits after the decimal separator (its exponent).</summary>
public sealed record Currency
{
    private Currency(string code, int exponent)
    {
        Code = code;
        Exponent = exponent;
    }

    public string Code { get; }

    /// <summary>Digits of the minor unit: 2 for CHF (1 CHF = 100 Rappen), 0 for JPY, 3 for KWD.</summary>
    public int Exponent { get; }

    public override string ToString() => Code;

    public static Currency Chf => FromCode("CHF");

    public static bool TryFromCode(string? code, out Currency currency)
    {
        if (code is not null && Known.TryGetValue(code, out var found))
        {
            currency = found;
            return true;
        }

        currency = null!;
        return false;
    }

    public static Currency FromCode(string code) =>
        TryFromCode(code, out var c) ? c : throw new ArgumentException($"Unknown ISO 4217 currency '{code}'.", nameof(code));

    // Active ISO 4217 codes (list of 2024-06). Exponent 2 unless listed otherwise. Funds codes, precious
    // metals and testing codes (XAU, XTS, XXX, …) are not currencies a shopper pays in and are left out.
    private static readonly string[] TwoDigit =
    [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD",
        "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CNY", "COP", "CRC", "CUP",
        "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP",
        "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR",
        "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP",
        "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN",
        "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP",
        "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD",
        "TZS", "UAH", "USD", "UYU", "UZS", "VES", "WST", "XCD", "YER", "ZAR", "ZMW", "ZWG",
    ];

    private static readonly string[] ZeroDigit =
        ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];

    private static readonly string[] ThreeDigit = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

    private static readonly FrozenDictionary<string, Currency> Known =
        TwoDigit.Select(c => new Currency(c, 2))
            .Concat(ZeroDigit.Select(c => new Currency(c, 0)))
            .Concat(ThreeDigit.Select(c => new Currency(c, 3)))
            .ToFrozenDictionary(c => c.Code, StringComparer.Ordinal);
}
