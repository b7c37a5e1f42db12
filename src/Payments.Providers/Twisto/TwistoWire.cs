using System.Text.Json;
using System.Text.Json.Serialization;
using Payments.Core.Validation;
using Payments.Providers.Http;

namespace Payments.Providers.Twisto;

// Twisto's JSON: PSP API v4 (docs.twisto.cz|pl /psp-api/api/checkout-create, checkout-retrieve, charge-create,
// refund-create, /psp-api/webhooks) and the deprecated Universal API v2 (/universal-api/api/order-create).
// Every documented field is modelled; unknown fields are ignored. Status words stay strings so that a value
// Twisto adds later still parses (TwistoStatusMapping decides what it means). Amounts are decimal strings
// ("49.90", pattern ^-?\d{0,8}(?:\.\d{0,2})?$), converted to minor units only in TwistoOrderMapping.
// No property is `required`: the same records read Twisto's answers, and a missing field must not throw
// before the caller can say which one it missed.
// The records: TwistoWire.V4.cs (PSP API v4) and TwistoWire.V2.cs (Universal API v2).

/// <summary>The serializer settings for Twisto: snake_case, nulls left out, numbers accepted where strings are documented.</summary>
public static class TwistoJson
{
    public static readonly JsonSerializerOptions Options = ProviderJson.SerializerOptions(JsonNamingPolicy.SnakeCaseLower, new LenientStringConverter());

    /// <summary>
    /// The error code of a Twisto error body. Twisto documents no error schema for v4; v2's error table shows
    /// <c>{"errors": …}</c>, and the API is Django REST framework (DRF-style pagination and auth wording), whose
    /// errors are <c>{"detail": "…", "code": "…"}</c> or <c>{"field": ["…"]}</c>. Gives the code, else the first
    /// field that failed; never message text (which may echo shopper data).
    /// </summary>
    public static string? ReadErrorCode(string rawBody) => ProviderJson.ReadErrorCode(rawBody, root =>
    {
        if (root.TryGetProperty("code", out var code) && JsonText.TryGetString(code, out var text))
        {
            return Cut(text);
        }

        if (root.TryGetProperty("errors", out var errors))
        {
            if (errors.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in errors.EnumerateObject())
                {
                    return JsonText.TryGetName(field, out var name) ? Cut(name) : "errors";
                }
            }

            return "errors";
        }

        foreach (var property in root.EnumerateObject())
        {
            if (JsonText.TryGetName(property, out var name) && name != "detail")
            {
                return Cut(name);
            }
        }

        return null;
    });

    private static string? Cut(string? text) => ProviderJson.Cut(text);
}

/// <summary>Reads a JSON string, or a number as its text (Twisto's webhook sample leaves amount types open).</summary>
public sealed class LenientStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"Expected a string or a number, not {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
