using System.Text.Json;
using System.Text.Json.Serialization;
using Payments.Core.Validation;
using Payments.Providers.Http;

namespace Payments.Providers.Next;

// The NEXT Admin API's JSON, version 2024-04-01 (public/api/admin/2024-04-01.yaml in 29next/developer-docs).
// Only the fields this service reads or writes; unknown fields are ignored. Status words stay strings so that a
// value NEXT adds later still parses (NextStatusMapping decides what it means). Decimals are strings, as NEXT
// sends them ("49.90"), converted to minor units only in NextOrderMapping.

/// <summary>The serializer settings for NEXT: snake_case, nulls left out, numbers accepted as strings.</summary>
public static class NextJson
{
    public static readonly JsonSerializerOptions Options = ProviderJson.SerializerOptions(JsonNamingPolicy.SnakeCaseLower);

    /// <summary>
    /// The error code of a NEXT error body. NEXT's errors are Django REST framework's (undocumented in the spec):
    /// <c>{"detail": "…", "code": "…"}</c> for auth, 404 and throttling, and <c>{"field": ["…"]}</c> for
    /// validation. Gives the <c>code</c>, else the first field name that failed; never message text.
    /// </summary>
    public static string? ReadErrorCode(string rawBody) => ProviderJson.ReadErrorCode(rawBody, root =>
    {
        if (root.TryGetProperty("code", out var code) && JsonText.TryGetString(code, out var text))
        {
            return text;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (JsonText.TryGetName(property, out var name) && name != "detail")
            {
                return ProviderJson.Cut(name);
            }
        }

        return null;
    });
}

/// <summary>Body of <c>POST /orders/</c> (schema CreateOrder; only <c>lines</c> is required by the spec).</summary>
public sealed record NextCreateOrderRequest
{
    public required IReadOnlyList<NextOrderLineRequest> Lines { get; init; }
    public string? Currency { get; init; }
    public NextUserRequest? User { get; init; }
    public NextAddress? ShippingAddress { get; init; }
    public bool? BillingSameAsShippingAddress { get; init; }
    public string? ShippingCode { get; init; }

    /// <summary>Always sent: without it NEXT charges the configured price of its cheapest shipping method.</summary>
    public string? ShippingPrice { get; init; }

    public required string PaymentMethod { get; init; }
    public required NextPaymentDetails PaymentDetails { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>Schema CreateOrderLine; <c>product_id</c> is the variant's product id.</summary>
public sealed record NextOrderLineRequest
{
    public required long ProductId { get; init; }
    public required int Quantity { get; init; }

    /// <summary>A custom unit price; without it NEXT uses the catalogue price.</summary>
    public string? Price { get; init; }

    public bool? IsUpsell { get; init; }
    public NextLineSubscription? Subscription { get; init; }
}

/// <summary>Schema CreateOrderSubscriptionLine: <c>interval</c> day|week|month|year.</summary>
public sealed record NextLineSubscription(string Interval, int IntervalCount);

/// <summary>Schema CreateUser (NEXT gets or creates the customer by e-mail).</summary>
public sealed record NextUserRequest
{
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
}

/// <summary>Schema ShippingAddress/BillingAddress: country, first_name, last_name, line1 and line4 (the city) are required.</summary>
public sealed record NextAddress
{
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Line1 { get; init; }
    public string? Line2 { get; init; }

    /// <summary>The city.</summary>
    public string? Line4 { get; init; }

    public string? Postcode { get; init; }
    public string? State { get; init; }
    public string? Country { get; init; }

    /// <summary>A local number is fine here (NEXT converts it with the country); on the user it must be E.164.</summary>
    public string? PhoneNumber { get; init; }
}

/// <summary>Schema PaymentDetail, as the TWINT guide uses it.</summary>
public sealed record NextPaymentDetails
{
    /// <summary>Where NEXT POSTs <c>response</c> (the order JSON, or <c>{}</c>) after the TWINT payment.</summary>
    public required string PaymentReturnUrl { get; init; }

    public int? PaymentGateway { get; init; }
    public int? PaymentGatewayGroup { get; init; }
}

/// <summary>Body of <c>POST /orders/{number}/add-line-items/</c> (schema AddLineItem).</summary>
public sealed record NextAddLineItemsRequest
{
    public required IReadOnlyList<NextOrderLineRequest> Lines { get; init; }
    public NextAddLineItemsPaymentDetails? PaymentDetails { get; init; }
}

/// <summary>Schema AddLineItemPaymentDetail.</summary>
public sealed record NextAddLineItemsPaymentDetails
{
    public int? PaymentGateway { get; init; }
    public int? PaymentGatewayGroup { get; init; }

    /// <summary>Up to 22 letters, digits, spaces and <c>&amp; , . - #</c>; NEXT ignores an invalid one.</summary>
    public string? StatementDescriptor { get; init; }
}

/// <summary>
/// Schema Order (ordersRetrieve, ordersAddLineItemsCreate, the TWINT return's <c>response</c>). Also the answer of
/// ordersCreate, which the spec types as an Order while the TWINT guide shows only
/// <c>{reference_transaction_id, payment_complete_url}</c>: both shapes parse into this type.
/// </summary>
public sealed record NextOrder
{
    [JsonConverter(typeof(StringOrNumberConverter))]
    public string? Number { get; init; }

    /// <summary>open | archived | canceled (free text in the spec).</summary>
    public string? Status { get; init; }

    /// <summary>pending | authorized | expiring | expired | paid | voided | refunded | partially_paid | partially_refunded | partially_voided.</summary>
    public string? PaymentStatus { get; init; }

    public string? Currency { get; init; }
    public string? TotalInclTax { get; init; }
    public string? TotalExclTax { get; init; }
    public string? TotalTax { get; init; }
    public bool? IsTest { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? Metadata { get; init; }
    public IReadOnlyList<NextOrderLine>? Lines { get; init; }
    public IReadOnlyList<NextTransaction>? Transactions { get; init; }
    public IReadOnlyList<NextOrderSubscription>? Subscriptions { get; init; }

    /// <summary>Only in the redirect-flow create answer: where to send the shopper.</summary>
    public string? PaymentCompleteUrl { get; init; }

    /// <summary>Only in the redirect-flow create answer (null in the guide's example).</summary>
    [JsonConverter(typeof(StringOrNumberConverter))]
    public string? ReferenceTransactionId { get; init; }
}

/// <summary>Schema OrderLine.</summary>
public sealed record NextOrderLine
{
    public long? Id { get; init; }
    public long? ProductId { get; init; }
    public long? VariantId { get; init; }
    public string? Sku { get; init; }
    public string? ProductTitle { get; init; }
    public int? Quantity { get; init; }
    public string? PriceInclTax { get; init; }
    public string? PriceExclTax { get; init; }
    public string? Currency { get; init; }
    public bool? IsUpsell { get; init; }
}

/// <summary>Schema TransactionObject: <c>status</c> succeeded | failed | "".</summary>
public sealed record NextTransaction
{
    public long? Id { get; init; }
    public string? Amount { get; init; }
    public string? Currency { get; init; }
    public string? Status { get; init; }
    public string? Type { get; init; }
    public string? PaymentMethod { get; init; }
    public int? ResponseCode { get; init; }
    public bool? IsTest { get; init; }

    /// <summary>For a refund transaction, the debit it refunds (for a void or capture, the authorization).</summary>
    public long? ParentId { get; init; }
}

/// <summary>
/// Schema RefundOrder (ordersRefundCreate): <c>transactions</c> (required) names the debit transactions to refund and
/// how much of each; <c>note</c> is free text. No reason field and no idempotency key.
/// </summary>
public sealed record NextRefundOrderRequest
{
    public required IReadOnlyList<NextRefundTransactionRequest> Transactions { get; init; }
    public string? Note { get; init; }
    public bool? SendRefundNotification { get; init; }
}

/// <summary>Schema RefundTransactionRequest: <c>id</c> of a debit transaction and a decimal-string <c>amount</c>.</summary>
public sealed record NextRefundTransactionRequest(long Id, string Amount);

/// <summary>Schema Refund (the ordersRefundCreate answer): only the id is read; the order is read again for its state.</summary>
public sealed record NextRefund
{
    public long? Id { get; init; }
}

/// <summary>Schema CancelOrder (ordersCancelCreate): <c>cancel_reason</c> is required; <c>full_refund</c> defaults to false.</summary>
public sealed record NextCancelOrderRequest
{
    public required string CancelReason { get; init; }
    public bool? FullRefund { get; init; }
    public bool? SendCancelNotification { get; init; }
}

/// <summary>Schema OrderSubscription.</summary>
public sealed record NextOrderSubscription
{
    public long? Id { get; init; }
    public int? BillingCycle { get; init; }
}

/// <summary>
/// Schema SubscriptionDetail (subscriptionsRetrieve, subscriptionsRenewCreate): only the fields this service reads.
/// <c>status</c> is active | past_due | canceled | retrying | paused; <c>orders</c> lists the orders per billing cycle.
/// </summary>
public sealed record NextSubscription
{
    public long? Id { get; init; }
    public string? Status { get; init; }
    public string? Currency { get; init; }
    public string? Total { get; init; }
    public DateTimeOffset? NextRenewalDate { get; init; }
    public IReadOnlyList<NextSubscriptionOrder>? Orders { get; init; }
}

/// <summary>Schema SubscriptionOrder: the order NEXT created for one billing cycle.</summary>
public sealed record NextSubscriptionOrder
{
    public int? BillingCycle { get; init; }

    [JsonConverter(typeof(StringOrNumberConverter))]
    public string? OrderNumber { get; init; }
}

/// <summary>Reads a JSON string or number as a string (ids NEXT types as strings may come as numbers and back).</summary>
public sealed class StringOrNumberConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray()),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"Expected a string or a number, not {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
