using System.Text;

namespace Payments.Core.Validation;

/// <summary>
/// The Azure Table Storage rules for PartitionKey and RowKey values, applied to every caller-supplied
/// identifier that can end up in a key (merchant references, idempotency keys, provider references).
/// </summary>
public static class KeyRules
{
    /// <summary>Table Storage allows 1 KiB per key.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Returns null when <paramref name="value"/> may be used in a table key, or why not.</summary>
    public static string? Check(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }

        if (value.Length > maxLength)
        {
            return $"must be at most {maxLength} characters";
        }

        if (Encoding.UTF8.GetByteCount(value) > MaxKeyBytes)
        {
            return $"must be at most {MaxKeyBytes} bytes";
        }

        foreach (var c in value)
        {
            if (c is '/' or '\\' or '#' or '?')
            {
                return "must not contain '/', '\\', '#' or '?'";
            }

            if (char.IsControl(c))
            {
                return "must not contain control characters";
            }
        }

        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            return "must not start or end with white space";
        }

        return null;
    }
}
