using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Providers.Twisto;

/// <summary>
/// Reads what comes back from Twisto outside our API calls: the shopper's return to <c>redirect_uri</c> /
/// <c>return_url</c>, and Twisto's webhooks. Pure parsing, no I/O; nothing here throws on bad input, and nothing
/// read here decides a status: it only says which checkout or order to read.
/// </summary>
/// <remarks>
/// The one place for what Twisto's docs leave open:
/// <list type="bullet">
/// <item><b>Return parameters.</b> v4 says the status is communicated by a "parameter in redirect URL", without
/// naming it; v2 says the shopper "is automatically redirected within 5 seconds to the URL that was provided".
/// We read <c>checkout_id</c>, <c>order_id</c> or <c>id</c> as the reference and <c>state</c> or <c>status</c> as the
/// claim when present, and need none of them: the return URL is signed per order, and the order's stored
/// reference (the checkout or order id Twisto gave at creation) is what gets confirmed.</item>
/// <item><b>Webhook bodies.</b> v4 is documented: <c>{checkout_id, total_amount, refunded_amount, created_date,
/// settled_date, type, state, external_id}</c>. v2 only says "Twisto sends notifications" with the statuses
/// checking, accepted, rejected, error; we accept the v2 order object's names (<c>id</c>, <c>external_id</c>,
/// <c>status</c>) and <c>order_id</c>. Neither version signs its webhooks, so any webhook is only a trigger to
/// re-read the checkout or order.</item>
/// <item>Twisto's psp-api page prints its webhook sample with Python quotes; real bodies are taken to be JSON,
/// with a urlencoded form accepted as well.</item>
/// </list>
/// </remarks>
public static class TwistoCallbacks
{
    /// <summary>Field names that carry Twisto's id of the checkout (v4) or order (v2), in order of preference.</summary>
    public static readonly IReadOnlyList<string> ReferenceFields = ["checkout_id", "order_id", "id"];

    /// <summary>Field names that carry our order id (v4 <c>external_id</c>, "merchant transaction id").</summary>
    public static readonly IReadOnlyList<string> OrderIdFields = ["external_id", "order_external_id"];

    /// <summary>Twisto's ids are at most 255 characters (v4 refund <c>checkout_id</c>); v2 ids are UUIDs.</summary>
    public const int MaxReferenceLength = 255;

    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>The shopper's return: a reference and a claimed outcome, both hints.</summary>
    public static ReturnEvidence ReadReturn(ReturnRequest request)
    {
        string? Field(string name) => request.Query.TryGetValue(name, out var q) ? q : request.Form.GetValueOrDefault(name);

        var reference = ReferenceFields.Select(Field).FirstOrDefault(IsReference);
        var claim = Field("state") is { } state
            ? Claim(TwistoOptions.V4, state)
            : Field("status") is { } status ? Claim(TwistoOptions.V2, status) : ClaimedOutcome.Unknown;
        if (claim == ClaimedOutcome.Unknown && request.Cancelled)
        {
            claim = ClaimedOutcome.Cancelled;
        }

        return new ReturnEvidence(reference, claim);
    }

    /// <summary>A Twisto webhook (either version): Accepted when it names a checkout, an order or our order id.</summary>
    public static WebhookReading ReadWebhook(WebhookRequest request)
    {
        if (!string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return new WebhookReading(WebhookVerdict.Malformed, Detail: "Twisto webhooks are POSTs");
        }

        if (request.Body.Length == 0 || request.Body.Length > MaxBodyBytes)
        {
            return new WebhookReading(WebhookVerdict.Malformed, Detail: "empty or oversized body");
        }

        var fields = ReadFields(request.Body);
        if (fields is null)
        {
            return new WebhookReading(WebhookVerdict.Malformed, Detail: "the body is neither a JSON object nor a form");
        }

        var reference = ReferenceFields.Select(fields.GetValueOrDefault).FirstOrDefault(IsReference);
        var orderId = OrderIdFields.Select(fields.GetValueOrDefault).FirstOrDefault(PaymentService.IsOrderId);
        if (reference is null && orderId is null)
        {
            return new WebhookReading(WebhookVerdict.Malformed, Detail: "names no checkout, order or order id");
        }

        var claim = fields.TryGetValue("state", out var state)
            ? Claim(TwistoOptions.V4, state)
            : fields.TryGetValue("status", out var status) ? Claim(TwistoOptions.V2, status) : ClaimedOutcome.Unknown;
        return new WebhookReading(WebhookVerdict.Accepted, ProviderReference: reference, OrderId: orderId,
            Evidence: new ReturnEvidence(reference, claim));
    }

    /// <summary>Whether <paramref name="text"/> can be a Twisto id (and a table key): 1-255 characters, no / \ # ? or control characters.</summary>
    public static bool IsReference(string? text) => KeyRules.Check(text, MaxReferenceLength) is null;

    /// <summary>What a status word claims, by the version's table. A hint for logs, never a decision.</summary>
    public static ClaimedOutcome Claim(string apiVersion, string? word)
    {
        TwistoStatusMapping.TryMap(apiVersion, word, out var status);
        return status switch
        {
            PaymentStatus.Succeeded or PaymentStatus.Authorized or PaymentStatus.Refunded or PaymentStatus.PartiallyRefunded => ClaimedOutcome.Paid,
            PaymentStatus.Cancelled => ClaimedOutcome.Cancelled,
            PaymentStatus.Failed or PaymentStatus.Expired => ClaimedOutcome.Failed,
            _ => ClaimedOutcome.Unknown,
        };
    }

    /// <summary>The top-level scalar fields of a JSON object or a urlencoded form, or null when it is neither.</summary>
    private static Dictionary<string, string>? ReadFields(byte[] body)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 32 });
            using var doc = JsonDocument.ParseValue(ref reader);
            // A JSON object with a name or string that is not valid UTF-16 is unreadable (and not a form either).
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !JsonText.IsValid(doc.RootElement))
            {
                return null;
            }

            foreach (var property in doc.RootElement.EnumerateObject())
            {
                var name = JsonText.GetName(property);
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => JsonText.GetString(property.Value),
                    JsonValueKind.Number => property.Value.GetRawText(),
                    _ => null,
                };
                if (value is not null)
                {
                    fields[name] = value;
                }
            }

            return fields;
        }
        catch (JsonException)
        {
            // Not JSON: perhaps a form.
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        if (!text.Contains('=', StringComparison.Ordinal) || text.Any(char.IsControl))
        {
            return null;
        }

        foreach (var (key, value) in QueryHelpers.ParseQuery(text))
        {
            fields[key] = value.ToString();
        }

        return fields.Count == 0 ? null : fields;
    }
}
