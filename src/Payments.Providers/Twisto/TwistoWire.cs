using System.Text.Json;
using System.Text.Json.Serialization;
using Payments.Core.Validation;

namespace Payments.Providers.Twisto;

// Twisto's JSON: PSP API v4 (docs.twisto.cz|pl /psp-api/api/checkout-create, checkout-retrieve, charge-create,
// refund-create, /psp-api/webhooks) and the deprecated Universal API v2 (/universal-api/api/order-create).
// Every documented field is modelled; unknown fields are ignored. Status words stay strings so that a value
// Twisto adds later still parses (TwistoStatusMapping decides what it means). Amounts are decimal strings
// ("49.90", pattern ^-?\d{0,8}(?:\.\d{0,2})?$), converted to minor units only in TwistoOrderMapping.
// No property is `required`: the same records read Twisto's answers, and a missing field must not throw
// before the caller can say which one it missed.

/// <summary>The serializer settings for Twisto: snake_case, nulls left out, numbers accepted where strings are documented.</summary>
public static class TwistoJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new LenientStringConverter() },
    };

    /// <summary>
    /// The error code of a Twisto error body. Twisto documents no error schema for v4; v2's error table shows
    /// <c>{"errors": …}</c>, and the API is Django REST framework (DRF-style pagination and auth wording), whose
    /// errors are <c>{"detail": "…", "code": "…"}</c> or <c>{"field": ["…"]}</c>. Gives the code, else the first
    /// field that failed; never message text (which may echo shopper data).
    /// </summary>
    public static string? ReadErrorCode(string rawBody)
    {
        using var doc = JsonDocument.Parse(rawBody);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !JsonText.IsValid(root))
        {
            return null;
        }

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
    }

    private static string? Cut(string? text) => text is { Length: > 64 } ? text[..64] : text;
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

// ---------------------------------------------------------------------------------------------------------------
// PSP API v4

/// <summary>Body of <c>POST /psp/v4/checkouts</c> (CheckoutCreate) and the checkout object's shared part.</summary>
public sealed record TwistoCheckoutRequest
{
    /// <summary><c>standard</c> (Twisto Pay, the default) or <c>pay-in-three</c>.</summary>
    public string? Type { get; init; }

    public TwistoCheckoutConfig? Config { get; init; }
    public TwistoShopper? Shopper { get; init; }
    public TwistoCheckoutOrder? Order { get; init; }

    /// <summary>The merchant's registered reference (required).</summary>
    public string? MerchantReference { get; init; }
}

/// <summary><c>config</c>: <c>redirect_uri</c> (required, at most 1000 characters) is where Twisto sends the shopper back.</summary>
public sealed record TwistoCheckoutConfig
{
    public string? RedirectUri { get; init; }
}

/// <summary><c>shopper</c>: e-mail required; names at most 40, phone 20, personal id 11 characters.</summary>
public sealed record TwistoShopper
{
    public string? FirstName { get; init; }
    public string? MiddleName { get; init; }

    /// <summary>Last name; the first last name in Spain.</summary>
    public string? LastName { get; init; }

    /// <summary>Second last name, Spain only.</summary>
    public string? LastName2 { get; init; }

    public string? Phone { get; init; }

    /// <summary>YYYY-MM-DD.</summary>
    public string? BirthDate { get; init; }

    public TwistoBillingAddress? BillingAddress { get; init; }
    public TwistoShopperStatistics? Statistics { get; init; }

    /// <summary>Unique personal identifier (at most 11 characters).</summary>
    public string? PersonalId { get; init; }

    public string? Email { get; init; }
}

/// <summary><c>shopper.billing_address</c>; <c>country</c> is two letters.</summary>
public sealed record TwistoBillingAddress
{
    public string? Line1 { get; init; }
    public string? Line2 { get; init; }
    public string? City { get; init; }
    public string? State { get; init; }
    public string? PostalCode { get; init; }
    public string? Country { get; init; }
}

/// <summary><c>shopper.statistics</c>: the shop's history with this shopper, for Twisto's scoring.</summary>
public sealed record TwistoShopperStatistics
{
    public string? AccountCreated { get; init; }
    public string? LastLogin { get; init; }
    public int? SalesTotalCount { get; init; }
    public string? SalesTotalAmount { get; init; }
    public string? SalesAvgAmount { get; init; }
    public string? SalesMaxAmount { get; init; }
    public string? RefundsTotalAmount { get; init; }
    public string? Currency { get; init; }
    public bool? HasPreviousPurchases { get; init; }
    public bool? PreviousChargeback { get; init; }
    public string? FraudCheckResult { get; init; }
}

/// <summary><c>order</c>: amount and currency required; <c>reference</c> (at most 200) is used in settlement.</summary>
public sealed record TwistoCheckoutOrder
{
    public string? Reference { get; init; }
    public string? Amount { get; init; }
    public string? Currency { get; init; }
    public IReadOnlyList<TwistoCheckoutItem>? Items { get; init; }
}

/// <summary><c>order.items[]</c>: <c>type</c> is <c>sku</c>, <c>tax</c>, <c>shipping</c>, <c>discount</c> or <c>store_credit</c>.</summary>
public sealed record TwistoCheckoutItem
{
    public string? Name { get; init; }
    public string? Amount { get; init; }
    public int? Quantity { get; init; }
    public string? Reference { get; init; }
    public string? Type { get; init; }
}

/// <summary>
/// The checkout object (CheckoutRetrieve, CheckoutCreate's answer, CheckoutCancel): <c>id</c> and <c>uri</c> are
/// required; <c>state</c> is created | approved | completed | cancelled | error.
/// </summary>
public sealed record TwistoCheckout
{
    public string? Id { get; init; }

    /// <summary>The Twisto gateway page to send the shopper to.</summary>
    public string? Uri { get; init; }

    /// <summary>
    /// Not in the checkout schema. The merchant guide says the create answer holds "a redirect url"; the schema's
    /// only URL is <c>uri</c>. Read as a fallback so that either spelling works.
    /// </summary>
    public string? RedirectUrl { get; init; }

    public string? Type { get; init; }
    public TwistoCheckoutConfig? Config { get; init; }
    public string? Created { get; init; }
    public string? Settled { get; init; }
    public string? State { get; init; }
    public TwistoShopper? Shopper { get; init; }
    public TwistoCheckoutOrder? Order { get; init; }
    public string? MerchantReference { get; init; }
}

/// <summary>Body of <c>POST /psp/v4/charges</c> (ChargeCreate): only for accounts without Immediate Capture.</summary>
public sealed record TwistoChargeRequest
{
    public TwistoChargeAuthority? Authority { get; init; }

    /// <summary>At most 140 characters.</summary>
    public string? Reference { get; init; }

    /// <summary>"Currently only the full amount is supported."</summary>
    public string? Amount { get; init; }

    public string? Currency { get; init; }
    public bool? Capture { get; init; }
    public TwistoChargeOrder? Order { get; init; }
}

/// <summary><c>authority</c>: <c>{"type": "checkout_id", "value": "…"}</c>.</summary>
public sealed record TwistoChargeAuthority
{
    public const string CheckoutIdType = "checkout_id";

    public string? Type { get; init; }
    public string? Value { get; init; }
}

/// <summary><c>order.reference</c> (required, at most 200).</summary>
public sealed record TwistoChargeOrder
{
    public string? Reference { get; init; }
}

/// <summary>The charge object: <c>state</c> is rejected | authorised | captured | cancelled | refunded | error.</summary>
public sealed record TwistoCharge
{
    public string? Id { get; init; }
    public string? Reference { get; init; }
    public string? Amount { get; init; }
    public string? Currency { get; init; }
    public string? CapturedAmount { get; init; }
    public string? RefundedAmount { get; init; }
    public string? CreatedDate { get; init; }
    public string? ReceiptNumber { get; init; }

    /// <summary>"TwistoPay" or "in three".</summary>
    public string? Product { get; init; }

    public string? State { get; init; }
}

/// <summary>Body of <c>POST /psp/v4/refunds</c> (RefundCreate): after capture; partial and repeated refunds allowed.</summary>
public sealed record TwistoRefundRequest
{
    /// <summary>Required, at most 255 characters.</summary>
    public string? CheckoutId { get; init; }

    /// <summary>At most 140 characters.</summary>
    public string? Reference { get; init; }

    /// <summary>At most 255 characters.</summary>
    public string? Reason { get; init; }

    public string? Amount { get; init; }
}

/// <summary>The refund object.</summary>
public sealed record TwistoRefund
{
    public string? Id { get; init; }
    public string? Reason { get; init; }
    public string? Amount { get; init; }
    public string? CreatedDate { get; init; }
    public string? Reference { get; init; }
    public string? CheckoutId { get; init; }
}

// ---------------------------------------------------------------------------------------------------------------
// Universal API v2 (deprecated)

/// <summary>Body of <c>POST /psp/v2/order/</c> (orderCreate, seed 001).</summary>
public sealed record TwistoOrderRequest
{
    /// <summary><c>twisto-pay</c> or <c>pay-in-three</c>.</summary>
    public string? Service { get; init; }

    /// <summary>Required, at most 36 characters: our order id ("ord_" + 32 hex digits, exactly 36).</summary>
    public string? OrderExternalId { get; init; }

    /// <summary>At most 140 characters; the bank transfer reference, random when left out.</summary>
    public string? PaymentIdentifier { get; init; }

    /// <summary>Required: where the shopper is sent within 5 seconds of Twisto's decision.</summary>
    public string? ReturnUrl { get; init; }

    public TwistoOrderData? OrderData { get; init; }
    public IReadOnlyList<TwistoTransactionHistoryEntry>? TransactionHistory { get; init; }
    public TwistoCustomerData? CustomerData { get; init; }
    public IReadOnlyList<TwistoOrderItem>? Items { get; init; }
}

/// <summary><c>order_data</c>: <c>{eshop_external_id, amount}</c>.</summary>
public sealed record TwistoOrderData
{
    public string? EshopExternalId { get; init; }
    public string? Amount { get; init; }
}

/// <summary><c>transaction_history[]</c>: the shopper's earlier transactions, for scoring.</summary>
public sealed record TwistoTransactionHistoryEntry
{
    /// <summary>YYYY-MM-DD.</summary>
    public string? Date { get; init; }

    public string? TransactionId { get; init; }

    /// <summary>At most 36 characters.</summary>
    public string? EshopExternalId { get; init; }

    public string? Amount { get; init; }
    public int? Mcc { get; init; }
    public bool? IsCanceled { get; init; }

    /// <summary><c>wire_transfer</c>, <c>card</c>, <c>cod</c> or <c>other</c>.</summary>
    public string? PaymentType { get; init; }
}

/// <summary><c>customer_data</c> (required). The seed documents no lengths except the two-letter country.</summary>
public sealed record TwistoCustomerData
{
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? PhoneNumber { get; init; }
    public string? StreetName { get; init; }
    public string? StreetNumber { get; init; }
    public string? ApartmentNumber { get; init; }
    public string? City { get; init; }
    public string? Zipcode { get; init; }
    public string? Country { get; init; }
    public string? PersonalId { get; init; }
}

/// <summary><c>items[]</c>: <c>type</c> is goods | shipment | payment | discount | round (the same words as ours).</summary>
public sealed record TwistoOrderItem
{
    /// <summary>At most 255 characters.</summary>
    public string? Name { get; init; }

    /// <summary>At most 255 characters.</summary>
    public string? ProductId { get; init; }

    public int? Quantity { get; init; }

    /// <summary>"Price of a (single?) item" (Twisto's own question mark): we send the unit price.</summary>
    public string? Amount { get; init; }

    /// <summary>Pattern <c>^-?\d{0,2}(?:\.\d{0,2})?$</c>: a rate in percent.</summary>
    public string? Vat { get; init; }

    public string? Type { get; init; }
}

/// <summary>
/// The v2 order (orderCreate's answer; the list's items): <c>status</c> is new | data_completed | checking |
/// rejected | accepted | canceled | activated | refunded | error. No currency: the e-shop's is implied.
/// </summary>
public sealed record TwistoOrder
{
    public string? Id { get; init; }

    /// <summary>Our <c>order_external_id</c>, echoed.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Twisto's page for the shopper (the merchant's own URL is <c>return_url</c>).</summary>
    public string? RedirectUrl { get; init; }

    public string? InitialAmount { get; init; }
    public string? CurrentAmount { get; init; }
    public string? RefundAmount { get; init; }
    public string? DateSettled { get; init; }
    public string? Status { get; init; }
    public string? Service { get; init; }
}

/// <summary>
/// Body of <c>POST /psp/v2/order/{id}/refund</c>. Not documented in any copy we could read; inferred from the
/// refund list's items (<c>amount</c>, <c>external_id</c>): the amount, and our refund id as external id.
/// </summary>
public sealed record TwistoOrderRefundRequest
{
    public string? Amount { get; init; }
    public string? ExternalId { get; init; }
}

/// <summary>The v2 refund list item (<c>GET /psp/v2/orderrefund/</c>), also read from a refund's answer when it has one.</summary>
public sealed record TwistoOrderRefund
{
    public string? Id { get; init; }
    public string? Amount { get; init; }
    public string? ExternalId { get; init; }
    public string? PaymentIdentifier { get; init; }
}
