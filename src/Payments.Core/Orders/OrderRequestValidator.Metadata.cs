using System.Text.Json;
using System.Text.RegularExpressions;
using Payments.Core.Validation;

namespace Payments.Core.Orders;

/// <summary>The rules of the free-form maps: <c>providerOptions</c> (passed to the provider) and <c>metadata</c> (kept with the order).</summary>
public static partial class OrderRequestValidator
{
    private static Dictionary<string, string> ValidateProviderOptions(IReadOnlyDictionary<string, JsonElement>? options, Action<string, string, IssueKind> bad)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options is null)
        {
            return result;
        }

        if (options.Count > MaxProviderOptions)
        {
            bad("providerOptions", $"must have at most {MaxProviderOptions} entries", IssueKind.Invalid);
            return result;
        }

        foreach (var (key, value) in options)
        {
            if (!OptionKey().IsMatch(key))
            {
                bad($"providerOptions.{key}", "keys must be 1-40 letters, digits or '_'", IssueKind.Invalid);
                continue;
            }

            if (JsonText.IsInvalidString(value))
            {
                bad($"providerOptions.{key}", "must be valid Unicode text (no unpaired surrogates)", IssueKind.Invalid);
                continue;
            }

            string? text = value.ValueKind switch
            {
                JsonValueKind.String => JsonText.TryGetString(value, out var s) ? s : null,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            };
            if (text is null)
            {
                bad($"providerOptions.{key}", "must be a string, number or boolean", IssueKind.Invalid);
            }
            else if (CheckText(text, MaxTextLength, required: false) is { } e)
            {
                bad($"providerOptions.{key}", e, IssueKind.Invalid);
            }
            else
            {
                result[key] = text;
            }
        }

        return result;
    }

    private static Dictionary<string, string> ValidateMetadata(IReadOnlyDictionary<string, string?>? metadata, Action<string, string, IssueKind> bad)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is null)
        {
            return result;
        }

        if (metadata.Count > MaxMetadataEntries)
        {
            bad("metadata", $"must have at most {MaxMetadataEntries} entries", IssueKind.Invalid);
            return result;
        }

        foreach (var (key, value) in metadata)
        {
            if (key.Length is 0 or > MaxMetadataKeyLength || key.Any(char.IsControl))
            {
                bad($"metadata.{key}", $"keys must be 1-{MaxMetadataKeyLength} characters without control characters", IssueKind.Invalid);
            }
            else if (value is null || CheckText(value, MaxMetadataValueLength, required: false) is not null)
            {
                bad($"metadata.{key}", $"values must be strings of at most {MaxMetadataValueLength} characters without control characters", IssueKind.Invalid);
            }
            else
            {
                result[key] = value;
            }
        }

        return result;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_]{1,40}$", RegexOptions.CultureInvariant)]
    private static partial Regex OptionKey();
}
