using System.Globalization;
using System.Text.Json;

namespace Payments.Messaging.Functions;

/// <summary>
/// Lenient readers for values in the host's envelope. The host serializes most values with
/// <c>JsonConvert.SerializeObject</c> before putting them in the JSON it sends, so a string arrives JSON-encoded twice
/// (<c>"\"abc\""</c>), a number as a string (<c>"1"</c>), a date without fraction or zone (<c>"2024-05-01T10:20:30"</c>),
/// and an object either as an object or as a string holding one.
/// </summary>
public static class EnvelopeValues
{
    private const int MaxUnwrap = 3;

    /// <summary>Removes up to three layers of JSON string encoding: <c>"\"abc\""</c> → <c>abc</c>. Anything else is left as it is.</summary>
    public static string Unwrap(string text, int maxLayers = MaxUnwrap)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < maxLayers && IsQuoted(text); i++)
        {
            if (!TryDecodeJsonString(text, out var inner))
            {
                break;
            }

            text = inner;
        }

        return text;
    }

    /// <summary>A scalar as text: strings unwrapped, numbers and booleans as written; null for null, objects and arrays.</summary>
    public static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Unwrap(value.GetString()!),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    public static long? ReadInt64(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetInt64(out var n) ? n : null;
        }

        return Text(value) is { } text && long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }

    public static int? ReadInt32(JsonElement value) => ReadInt64(value) is { } n && n is >= int.MinValue and <= int.MaxValue ? (int)n : null;

    public static bool? ReadBoolean(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => Text(value) is { } text && bool.TryParse(text.Trim(), out var b) ? b : null,
    };

    /// <summary>
    /// A date in any of the host's forms (ISO 8601 with or without fraction and zone, invariant-culture text);
    /// a date without a zone is UTC.
    /// </summary>
    public static DateTimeOffset? ReadDateTime(JsonElement value)
    {
        if (Text(value) is not { Length: > 0 } text)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;
    }

    /// <summary>The value as a JSON object: itself, or the object a (possibly twice encoded) string holds; else null.</summary>
    public static JsonElement? AsObject(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            return value;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = Unwrap(value.GetString()!).Trim();
        if (!text.StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsQuoted(string text) => text.Length >= 2 && text[0] == '"' && text[^1] == '"';

    internal static bool TryDecodeJsonString(string text, out string inner)
    {
        try
        {
            inner = JsonSerializer.Deserialize<string>(text)!;
            return inner is not null;
        }
        catch (JsonException)
        {
            inner = string.Empty;
            return false;
        }
    }
}
