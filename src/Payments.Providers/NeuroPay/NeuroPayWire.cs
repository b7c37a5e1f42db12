using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payments.Providers.NeuroPay;

// Neuro-Pay's request bodies, as documented in the seed (wiki.paiwise.tech, "Neuro-Pay Checkout API") and the newer
// docs (docs.neuro-tech.io/neuro-pay/api-reference/checkout/checkouts and …/customers). Field names are spelled as
// Neuro-Pay spells them: a mix of camelCase (returnUrl, allowSaveCard, metaData, refundDetails) and snake_case
// (customer_id, card_id, checkout_id, first_name), so every property names its JSON field explicitly. Responses are
// not deserialised into these types: their shape is undocumented, and NeuroPayResponses reads them in one place.

/// <summary>The serializer settings for Neuro-Pay requests: nulls left out, explicit names.</summary>
public static class NeuroPayJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>Body of <c>POST /checkout/create</c>.</summary>
public sealed record NeuroPayCreateCheckoutRequest
{
    /// <summary>Optional; "if not passed the cid will get as reference". We send our order id.</summary>
    [JsonPropertyName("identifier")] public string? Identifier { get; init; }

    /// <summary>Minor units ("30 SEK is 3000 öre"); documented as an int.</summary>
    [JsonPropertyName("amount")] public required long Amount { get; init; }

    [JsonPropertyName("currency")] public required string Currency { get; init; }

    /// <summary>Shown to the shopper on the checkout page; required by the newer docs.</summary>
    [JsonPropertyName("message")] public required string Message { get; init; }

    /// <summary>Default true; false reserves the amount for a later <c>capture</c>.</summary>
    [JsonPropertyName("capture")] public bool? Capture { get; init; }

    /// <summary>Default true at Neuro-Pay; only sent when the order says so.</summary>
    [JsonPropertyName("allowSaveCard")] public bool? AllowSaveCard { get; init; }

    [JsonPropertyName("returnUrl")] public required string ReturnUrl { get; init; }
    [JsonPropertyName("returnUrlCancel")] public required string ReturnUrlCancel { get; init; }

    /// <summary>Lets the shopper save the card to this customer.</summary>
    [JsonPropertyName("customer_id")] public string? CustomerId { get; init; }

    /// <summary>With <see cref="CustomerId"/>: an automatic payment with that saved card, no shopper page.</summary>
    [JsonPropertyName("card_id")] public string? CardId { get; init; }

    /// <summary>"iframe" (no background image) is the only documented value.</summary>
    [JsonPropertyName("template")] public string? Template { get; init; }

    /// <summary>
    /// The wiki types it "Array: key value pair array", the newer docs' example sends a JSON object
    /// (<c>{"orderId": "1001"}</c>): we send the object.
    /// </summary>
    [JsonPropertyName("metaData")] public IReadOnlyDictionary<string, string>? MetaData { get; init; }
}

/// <summary>Body of <c>retrieve</c>, <c>capture</c> and <c>delete</c>.</summary>
public sealed record NeuroPayCheckoutIdRequest([property: JsonPropertyName("checkout_id")] string CheckoutId);

/// <summary>Body of <c>POST /checkout/refund</c>. Without <see cref="Amount"/> the whole (remaining) amount is refunded.</summary>
public sealed record NeuroPayRefundRequest
{
    [JsonPropertyName("checkout_id")] public required string CheckoutId { get; init; }
    [JsonPropertyName("amount")] public long? Amount { get; init; }

    /// <summary>"duplicate" | "requested_by_customer" | "fraudolent" (Neuro-Pay's spelling).</summary>
    [JsonPropertyName("reason")] public string? Reason { get; init; }

    [JsonPropertyName("refundDetails")] public string? RefundDetails { get; init; }
}

/// <summary>Body of <c>POST /checkout/update</c>: an empty value deletes its key.</summary>
public sealed record NeuroPayUpdateRequest
{
    [JsonPropertyName("checkout_id")] public required string CheckoutId { get; init; }
    [JsonPropertyName("metaData")] public required IReadOnlyDictionary<string, string> MetaData { get; init; }
}

/// <summary>Body of <c>POST /checkout/create-customer</c> (first_name, last_name and email are required by the newer docs).</summary>
public sealed record NeuroPayCreateCustomerRequest
{
    [JsonPropertyName("first_name")] public string? FirstName { get; init; }
    [JsonPropertyName("last_name")] public string? LastName { get; init; }
    [JsonPropertyName("email")] public string? Email { get; init; }
    [JsonPropertyName("metaData")] public IReadOnlyDictionary<string, string>? MetaData { get; init; }
}

/// <summary>Body of <c>retrieve-customer</c> and <c>delete-customer</c>.</summary>
public sealed record NeuroPayCustomerIdRequest([property: JsonPropertyName("customer_id")] string CustomerId);
