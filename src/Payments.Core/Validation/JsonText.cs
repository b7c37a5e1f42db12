using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Payments.Core.Validation;

/// <summary>
/// The one way text is read from untrusted JSON (request bodies, returns, webhooks, provider answers).
/// </summary>
/// <remarks>
/// JSON may escape an unpaired UTF-16 surrogate (<c>"\ud800"</c>, <c>"\ud800\u0041"</c>): the document parses, but
/// <see cref="JsonElement.GetString"/>, <see cref="JsonProperty.Name"/>, the <c>…Equals</c> comparisons and even
/// <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> (on an object with such a name) then throw
/// <see cref="InvalidOperationException"/>. Such a string is not text. A parser of untrusted JSON checks the document
/// once with <see cref="IsValid"/> or <see cref="EnsureValid"/> (which throws the <see cref="JsonException"/> it
/// already handles) before it reads anything; the <c>Try…</c> methods read one value without throwing.
/// </remarks>
public static class JsonText
{
    /// <summary>Whether every property name and string in <paramref name="element"/> (at any depth) is valid UTF-16.</summary>
    public static bool IsValid(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!TryGetName(property, out _) || !IsValid(property.Value))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (!IsValid(item))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.String:
                return TryGetString(element, out _);
            default:
                return true;
        }
    }

    /// <summary>Throws <see cref="JsonException"/> unless <see cref="IsValid"/>: for parsers that treat a JsonException as "not readable".</summary>
    public static void EnsureValid(JsonElement element)
    {
        if (!IsValid(element))
        {
            throw new JsonException("The JSON holds a string or property name that is not valid UTF-16 (an unpaired surrogate).");
        }
    }

    /// <summary>The string <paramref name="element"/> holds; false when it is not a string or not valid UTF-16.</summary>
    public static bool TryGetString(JsonElement element, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            value = element.GetString();
            return value is not null;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="element"/> is a string that is not valid UTF-16 (so it cannot be read as text).</summary>
    public static bool IsInvalidString(JsonElement element) =>
        element.ValueKind == JsonValueKind.String && !TryGetString(element, out _);

    /// <summary>The name of <paramref name="property"/>; false when it is not valid UTF-16.</summary>
    public static bool TryGetName(JsonProperty property, [NotNullWhen(true)] out string? name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = null;
            return false;
        }
    }

    /// <summary>
    /// The string <paramref name="element"/> holds, for parsers whose <c>catch (JsonException)</c> already turns
    /// unreadable input into "not readable": a string that is not valid UTF-16 throws <see cref="JsonException"/>.
    /// </summary>
    public static string GetString(JsonElement element) =>
        TryGetString(element, out var value) ? value
            : throw new JsonException(element.ValueKind == JsonValueKind.String ? "A string is not valid UTF-16 (an unpaired surrogate)." : "Not a string.");

    /// <summary>The name of <paramref name="property"/>; throws <see cref="JsonException"/> when it is not valid UTF-16.</summary>
    public static string GetName(JsonProperty property) =>
        TryGetName(property, out var name) ? name : throw new JsonException("A property name is not valid UTF-16 (an unpaired surrogate).");
}
