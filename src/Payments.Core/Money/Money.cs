using System.Globalization;

namespace Payments.Core.Money;

/// <summary>An amount in minor units of a currency. Never a binary floating point number.</summary>
public readonly record struct Money(long Minor, Currency Currency)
{
    /// <summary>The largest amount accepted anywhere: 10^13 minor units (100 billion CHF), far below overflow.</summary>
    public const long MaxMinor = 10_000_000_000_000;

    /// <summary>
    /// Parses a plain decimal string ("49.90", "5", "0.5") strictly: no sign, exponent, grouping or
    /// whitespace, and no more fraction digits than the currency has.
    /// </summary>
    public static bool TryParse(string? text, Currency currency, out Money money, out string error)
    {
        money = default;
        if (!TryParseMinor(text, currency.Exponent, allowNegative: false, out var minor, out error))
        {
            return false;
        }

        money = new Money(minor, currency);
        return true;
    }

    /// <summary>Parses a decimal string into minor units with the given exponent.</summary>
    public static bool TryParseMinor(string? text, int exponent, bool allowNegative, out long minor, out string error)
    {
        minor = 0;
        if (string.IsNullOrEmpty(text))
        {
            error = "must be a decimal string such as \"49.90\"";
            return false;
        }

        var span = text.AsSpan();
        var negative = false;
        if (span[0] == '-')
        {
            if (!allowNegative)
            {
                error = "must not be negative";
                return false;
            }

            negative = true;
            span = span[1..];
        }

        var dot = span.IndexOf('.');
        var whole = dot < 0 ? span : span[..dot];
        var fraction = dot < 0 ? [] : span[(dot + 1)..];
        if (whole.Length == 0 || (dot >= 0 && fraction.Length == 0) || !IsDigits(whole) || !IsDigits(fraction))
        {
            error = "must be a decimal string such as \"49.90\" (digits, optionally one '.')";
            return false;
        }

        if (whole.Length > 1 && whole[0] == '0')
        {
            error = "must not have leading zeros";
            return false;
        }

        if (fraction.Length > exponent)
        {
            error = exponent == 0
                ? "must be a whole number for this currency"
                : $"has more than {exponent} decimal places for this currency";
            return false;
        }

        if (whole.Length > 15)
        {
            error = "is too large";
            return false;
        }

        var value = long.Parse(whole, NumberStyles.None, CultureInfo.InvariantCulture);
        for (var i = 0; i < exponent; i++)
        {
            value = (value * 10) + (i < fraction.Length ? fraction[i] - '0' : 0);
        }

        if (value > MaxMinor)
        {
            error = "is too large";
            return false;
        }

        minor = negative ? -value : value;
        error = string.Empty;
        return true;
    }

    /// <summary>Formats minor units as a decimal string with exactly <paramref name="exponent"/> fraction digits.</summary>
    public static string FormatMinor(long minor, int exponent)
    {
        var sign = minor < 0 ? "-" : string.Empty;
        var abs = Math.Abs(minor);
        if (exponent == 0)
        {
            return sign + abs.ToString(CultureInfo.InvariantCulture);
        }

        var factor = (long)Math.Pow(10, exponent);
        var fraction = (abs % factor).ToString(CultureInfo.InvariantCulture).PadLeft(exponent, '0');
        return $"{sign}{(abs / factor).ToString(CultureInfo.InvariantCulture)}.{fraction}";
    }

    /// <summary>"49.90" for 4990 CHF.</summary>
    public string ToDecimalString() => FormatMinor(Minor, Currency.Exponent);

    public override string ToString() => $"{ToDecimalString()} {Currency.Code}";

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
