using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Providers.Next;

/// <summary>
/// Reads what comes back from NEXT outside our API calls: the shopper's return POST here, its webhooks through
/// <see cref="NextWebhookVerifier"/> below (they are signed, so reading them needs the secret). Pure parsing, no I/O;
/// nothing here throws on bad input, and nothing read here decides a status: it only says which NEXT order to read.
/// </summary>
public static class NextCallbacks
{
    /// <summary>
    /// Reads NEXT's return POST: the urlencoded field <c>response</c> holds the order JSON as a string, or
    /// <c>{}</c> when payment collection failed and no order was created. Anything missing or unparseable is an
    /// Unknown claim; nothing here throws.
    /// </summary>
    public static ReturnEvidence ReadReturn(ReturnRequest request)
    {
        if (!request.Form.TryGetValue(NextProvider.ResponseField, out var json) || string.IsNullOrWhiteSpace(json))
        {
            return new ReturnEvidence(null, ClaimedOutcome.Unknown);
        }

        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            var root = doc.RootElement;
            JsonText.EnsureValid(root);
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new ReturnEvidence(null, ClaimedOutcome.Unknown);
            }

            if (!root.EnumerateObject().Any())
            {
                return new ReturnEvidence(null, ClaimedOutcome.Failed);
            }

            var number = root.TryGetProperty("number", out var n) && n.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? (n.ValueKind == JsonValueKind.String ? JsonText.GetString(n) : n.GetRawText())
                : null;
            if (!NextOrderMapping.IsOrderNumber(number))
            {
                // An order without a usable number cannot be checked, so it claims nothing.
                return new ReturnEvidence(null, ClaimedOutcome.Unknown);
            }

            var paymentStatus = root.TryGetProperty("payment_status", out var s) && s.ValueKind == JsonValueKind.String ? JsonText.GetString(s) : null;
            NextStatusMapping.TryMap(paymentStatus, out var claimed);
            var claim = claimed switch
            {
                PaymentStatus.Succeeded or PaymentStatus.Authorized => ClaimedOutcome.Paid,
                PaymentStatus.Cancelled => ClaimedOutcome.Cancelled,
                PaymentStatus.Expired => ClaimedOutcome.Failed,
                _ => ClaimedOutcome.Unknown,
            };
            return new ReturnEvidence(number, claim);
        }
        catch (JsonException)
        {
            return new ReturnEvidence(null, ClaimedOutcome.Unknown);
        }
    }
}

/// <summary>What a NEXT webhook names: the event (for dedupe), and the order it is about. A trigger, never a state.</summary>
/// <param name="EventId">NEXT's <c>event_id</c>; NEXT retries up to 10 times, so dedupe on it.</param>
/// <param name="EventType">e.g. <c>order.updated</c>, <c>transaction.created</c>.</param>
/// <param name="OrderNumber">The NEXT order number: <c>data.number</c> for order events, <c>data.order</c> for transactions.</param>
/// <param name="OrderId">Our order id from the order's metadata, when the payload carries it (order events).</param>
public sealed record NextWebhookEvent(string? EventId, string? EventType, string? ApiVersion, string? OrderNumber, string? OrderId);

/// <summary>
/// Authenticates and reads NEXT webhooks (<c>{api_version, object, data, event_id, event_type, webhook}</c>,
/// header <c>X-29Next-Signature</c> = hex HMAC-SHA256 with the webhook secret).
/// </summary>
/// <remarks>
/// Uncertain in NEXT's docs: their example verifies the signature over Python's <c>json.dumps(json.loads(body))</c>,
/// not over the raw body. The raw body is checked first; then that re-serialisation (separators <c>", "</c> and
/// <c>": "</c>, non-ASCII as <c>\uXXXX</c>, keys in the order received). Numbers are kept as sent, where Python would
/// re-print floats (NEXT sends decimals as strings, so this should not matter). Both checks are constant-time.
/// </remarks>
public sealed class NextWebhookVerifier(IOptionsMonitor<NextOptions> options)
{
    public const string SignatureHeader = "X-29Next-Signature";

    /// <summary>Whether <paramref name="signature"/> is NEXT's signature of <paramref name="rawBody"/>.</summary>
    public bool IsAuthentic(ReadOnlySpan<byte> rawBody, string? signature)
    {
        var secret = options.CurrentValue.WebhookSecret;
        if (string.IsNullOrEmpty(secret) || !TryDecodeHex(signature, out var presented))
        {
            return false;
        }

        var key = Encoding.UTF8.GetBytes(secret);
        if (CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, rawBody), presented))
        {
            return true;
        }

        var reserialised = PythonJsonDumps(rawBody);
        return reserialised is not null && CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, reserialised), presented);
    }

    /// <summary>Reads the envelope; null when the body is not a NEXT webhook envelope.</summary>
    public NextWebhookEvent? Read(ReadOnlySpan<byte> rawBody)
    {
        try
        {
            var reader = new Utf8JsonReader(rawBody, new JsonReaderOptions { MaxDepth = 64 });
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            JsonText.EnsureValid(root);
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var eventType = Text(root, "event_type");
            var number = eventType?.StartsWith("order.", StringComparison.Ordinal) == true ? Text(data, "number") : Text(data, "order");
            string? orderId = null;
            if (data.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty(options.CurrentValue.OrderIdMetadataKey, out var id) && id.ValueKind == JsonValueKind.String)
            {
                orderId = JsonText.GetString(id);
            }

            return new NextWebhookEvent(Text(root, "event_id"), eventType, Text(root, "api_version"),
                NextOrderMapping.IsOrderNumber(number) ? number : null, orderId);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The bytes Python's <c>json.dumps</c> would produce for this JSON, or null when it is not JSON.</summary>
    public static byte[]? PythonJsonDumps(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            using var doc = JsonDocument.ParseValue(ref reader);
            JsonText.EnsureValid(doc.RootElement);
            var text = new StringBuilder();
            WritePython(doc.RootElement, text);
            return Encoding.ASCII.GetBytes(text.ToString());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WritePython(JsonElement element, StringBuilder text)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                text.Append('{');
                var firstProperty = true;
                foreach (var property in element.EnumerateObject())
                {
                    text.Append(firstProperty ? string.Empty : ", ");
                    firstProperty = false;
                    WritePythonString(JsonText.GetName(property), text);
                    text.Append(": ");
                    WritePython(property.Value, text);
                }

                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var firstItem = true;
                foreach (var item in element.EnumerateArray())
                {
                    text.Append(firstItem ? string.Empty : ", ");
                    firstItem = false;
                    WritePython(item, text);
                }

                text.Append(']');
                break;
            case JsonValueKind.String:
                WritePythonString(JsonText.GetString(element), text);
                break;
            default:
                text.Append(element.GetRawText());
                break;
        }
    }

    private static void WritePythonString(string value, StringBuilder text)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }

    private static bool TryDecodeHex(string? hex, out byte[] bytes)
    {
        bytes = [];
        if (hex is not { Length: 64 })
        {
            return false;
        }

        try
        {
            bytes = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => JsonText.GetString(value),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
