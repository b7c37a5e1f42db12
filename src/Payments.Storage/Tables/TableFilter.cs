using System.Globalization;

namespace Payments.Storage.Tables;

/// <summary>
/// Builds OData <c>$filter</c> expressions with every value written as a correctly escaped literal:
/// <c>TableFilter.Of($"PartitionKey eq {pk} and Amount gt {100L}")</c>. Strings are single-quoted with
/// quotes doubled, so a caller-supplied value can never change the expression.
/// </summary>
public static class TableFilter
{
    /// <summary>Formats <paramref name="filter"/>, turning each interpolated value into an OData literal.</summary>
    public static string Of(FormattableString filter)
    {
        var args = filter.GetArguments().Select(Literal).ToArray();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, args);
    }

    /// <summary>A string literal: <c>'it''s'</c>.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The OData literal for a supported value (string, bool, int, long, double, DateTimeOffset, DateTime, Guid, byte[]).</summary>
    public static string Literal(object? value) => value switch
    {
        null => throw new ArgumentException("Table Storage filters cannot compare with null; absent properties never match.", nameof(value)),
        string s => Quote(s),
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d => FormatDouble(d),
        DateTimeOffset dto => "datetime'" + EdmValues.FormatDateTime(dto) + "'",
        DateTime dt => "datetime'" + EdmValues.FormatDateTime(new DateTimeOffset(EdmValues.AsUtc(dt))) + "'",
        Guid g => "guid'" + g.ToString("D") + "'",
        byte[] bytes => "X'" + Convert.ToHexStringLower(bytes) + "'",
        _ => throw new ArgumentException($"Values of type {value.GetType().Name} cannot be used in a Table Storage filter.", nameof(value)),
    };

    private static string FormatDouble(double d)
    {
        if (!double.IsFinite(d))
        {
            throw new ArgumentException("NaN and infinities cannot be used in a Table Storage filter.", nameof(d));
        }

        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }
}
