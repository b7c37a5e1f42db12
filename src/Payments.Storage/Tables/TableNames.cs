using System.Text.RegularExpressions;
using Payments.Core.Validation;

namespace Payments.Storage.Tables;

/// <summary>Validation of table names and entity keys, done before any request is sent.</summary>
public static partial class TableNames
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="tableName"/> is a valid table name:
    /// 3–63 characters, letters and digits only, starting with a letter, and not the reserved name "tables".
    /// </summary>
    public static void ValidateTableName(string? tableName, string? paramName = null)
    {
        paramName ??= nameof(tableName);
        if (string.IsNullOrEmpty(tableName))
        {
            throw new ArgumentException("Table name is required.", paramName);
        }

        if (!TableNamePattern().IsMatch(tableName))
        {
            throw new ArgumentException(
                $"Table name '{Printable(tableName)}' is invalid: use 3 to 63 letters and digits, starting with a letter.", paramName);
        }

        if (string.Equals(tableName, "tables", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("Table name 'tables' is reserved.", paramName);
        }
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="value"/> may be a PartitionKey or RowKey
    /// (<see cref="KeyRules"/>: non-empty, at most 1 KiB, no '/', '\', '#', '?', no control characters, no
    /// leading or trailing white space).
    /// </summary>
    public static void ValidateKey(string? value, string keyName, string? paramName = null)
    {
        var problem = KeyRules.Check(value, KeyRules.MaxKeyBytes);
        if (problem is not null)
        {
            throw new ArgumentException($"{keyName} '{Printable(value)}' is invalid: it {problem}.", paramName ?? keyName);
        }
    }

    /// <summary>Validates both keys of an entity address.</summary>
    public static void ValidateKeys(string? partitionKey, string? rowKey)
    {
        ValidateKey(partitionKey, "PartitionKey", nameof(partitionKey));
        ValidateKey(rowKey, "RowKey", nameof(rowKey));
    }

    // Control characters are shown as \uXXXX so the message itself stays printable; long values are cut.
    private static string Printable(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var builder = new System.Text.StringBuilder(Math.Min(value.Length, 80));
        foreach (var c in value.Length > 64 ? value[..64] : value)
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        if (value.Length > 64)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex TableNamePattern();
}
