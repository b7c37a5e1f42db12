using System.Text.Json;
using System.Text.Json.Serialization;
using Payments.Core.Validation;
using Payments.Providers.Http;

namespace Payments.Providers.Mangopay;

// Mangopay API v2.01 JSON (docs.mangopay.com: api-reference/twint/create-twint-payin, view-payin-twint,
// refunds/create-refund-payin, overview/authentication, api-responses/view-api-response, errors/error-report).
// PascalCase as Mangopay sends it, with its own spellings (ReturnURL, RedirectURL, RessourceId). Only the fields this
// service reads or writes; unknown fields are ignored. Status words stay strings so that a value Mangopay adds
// later still parses (MangopayStatusMapping decides what it means). Amounts are integers in minor units.

/// <summary>The serializer settings for Mangopay: names as declared (PascalCase), read case-insensitively, nulls left out.</summary>
public static class MangopayJson
{
    public static readonly JsonSerializerOptions Options = ProviderJson.SerializerOptions(naming: null);

    /// <summary>
    /// The error <c>Type</c> of a Mangopay error body <c>{Message, Type, Id, Date, Errors}</c> (e.g. <c>param_error</c>,
    /// <c>ressource_not_found</c>, <c>idempotent_creation_conflict</c>); never the message text.
    /// </summary>
    public static string? ReadErrorCode(string rawBody) => ProviderJson.ReadErrorCode(rawBody, root =>
    {
        foreach (var property in root.EnumerateObject())
        {
            if (JsonText.TryGetName(property, out var name) && string.Equals(name, "Type", StringComparison.OrdinalIgnoreCase)
                && JsonText.TryGetString(property.Value, out var type))
            {
                return ProviderJson.Cut(type);
            }
        }

        return null;
    });
}

/// <summary><c>{Currency, Amount}</c>: Amount in minor units ("DebitedFunds.Amount value 1" is 0.01 CHF).</summary>
public sealed record MangopayMoney(string Currency, long Amount);

/// <summary>Answer of the token endpoint: <c>{access_token, token_type, expires_in}</c>.</summary>
public sealed record MangopayToken
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; init; }

    /// <summary>Seconds. 3600 in production and 1200 in Mangopay's sandbox, but "do not rely on hard-coded defaults".</summary>
    [JsonPropertyName("expires_in")]
    public long? ExpiresIn { get; init; }

    public override string ToString() => $"MangopayToken {{ TokenType = {TokenType}, ExpiresIn = {ExpiresIn} }}";
}

/// <summary>Body of <c>POST /v2.01/{ClientId}/payins/payment-methods/twint</c>.</summary>
public sealed record MangopayTwintPayInRequest
{
    public required string AuthorId { get; init; }
    public required string CreditedWalletId { get; init; }
    public required MangopayMoney DebitedFunds { get; init; }
    public required MangopayMoney Fees { get; init; }

    /// <summary>≤ 255 characters; Mangopay appends <c>?transactionId={PayInId}</c> when it sends the shopper back.</summary>
    [JsonPropertyName("ReturnURL")]
    public required string ReturnUrl { get; init; }

    /// <summary>≤ 255 characters: our order id and the merchant reference (checked when the pay-in is read back).</summary>
    public string? Tag { get; init; }

    /// <summary>≤ 10 letters, digits or spaces.</summary>
    public string? StatementDescriptor { get; init; }
}

/// <summary>
/// What Mangopay's transactions (a pay-in, a refund) share, as its docs list them for each: who, how much, and how it
/// ended (<c>Status</c>, <c>ResultCode</c>, <c>ResultMessage</c>).
/// </summary>
public abstract record MangopayTransaction
{
    public string? Id { get; init; }
    public string? Tag { get; init; }
    public long? CreationDate { get; init; }
    public string? AuthorId { get; init; }
    public MangopayMoney? DebitedFunds { get; init; }
    public MangopayMoney? CreditedFunds { get; init; }
    public MangopayMoney? Fees { get; init; }

    /// <summary>CREATED | SUCCEEDED | FAILED.</summary>
    public string? Status { get; init; }

    public string? ResultCode { get; init; }
    public string? ResultMessage { get; init; }
    public long? ExecutionDate { get; init; }

    /// <summary>PAYIN (a pay-in) or PAYOUT (a refund).</summary>
    public string? Type { get; init; }

    /// <summary>REGULAR (a pay-in) or REFUND (a refund).</summary>
    public string? Nature { get; init; }
}

/// <summary>The TWINT PayIn object (create, view).</summary>
public sealed record MangopayPayIn : MangopayTransaction
{
    public string? CreditedUserId { get; init; }

    public string? CreditedWalletId { get; init; }

    /// <summary>TWINT.</summary>
    public string? PaymentType { get; init; }

    /// <summary>WEB.</summary>
    public string? ExecutionType { get; init; }

    [JsonPropertyName("ReturnURL")]
    public string? ReturnUrl { get; init; }

    /// <summary>Where to send the shopper. "Rely on the returned URL in full (host, path, and queries)".</summary>
    [JsonPropertyName("RedirectURL")]
    public string? RedirectUrl { get; init; }

    public string? StatementDescriptor { get; init; }
}

/// <summary>
/// Body of <c>POST /v2.01/{ClientId}/payins/{PayInId}/refunds</c>. Without DebitedFunds and Fees the pay-in is
/// refunded in full; "if either of these parameters is present, the other one must also be".
/// </summary>
public sealed record MangopayRefundRequest
{
    public required string AuthorId { get; init; }
    public MangopayMoney? DebitedFunds { get; init; }
    public MangopayMoney? Fees { get; init; }
    public string? Tag { get; init; }
}

/// <summary>The Refund object.</summary>
public sealed record MangopayRefund : MangopayTransaction
{
    public string? InitialTransactionId { get; init; }
    public string? InitialTransactionType { get; init; }
}

/// <summary>
/// <c>GET /v2.01/{ClientId}/responses/{IdempotencyKey}</c>: the first answer to a request made with that key, kept
/// 24 h. <c>StatusCode</c> is a string ("200"); <c>Resource</c> is the original body.
/// </summary>
public sealed record MangopayIdempotencyResponse
{
    /// <summary>A string in the docs ("200"); a number is read too.</summary>
    public JsonElement? StatusCode { get; init; }

    public string? RequestURL { get; init; }
    public JsonElement? Resource { get; init; }

    /// <summary>The HTTP status of the first answer, or null when it is not readable.</summary>
    public int? HttpStatus => StatusCode switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out var i) => i,
        { ValueKind: JsonValueKind.String } s when JsonText.TryGetString(s, out var text) && int.TryParse(text, System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var i) => i,
        _ => null,
    };
}
