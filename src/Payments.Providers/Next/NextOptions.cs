using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Payments.Providers.Next;

/// <summary>
/// NEXT Commerce Admin API settings, bound from <c>Providers:Next</c>. A class, not a record: its
/// <see cref="ToString"/> must never print the token or the webhook secret.
/// </summary>
public sealed class NextOptions
{
    public const string SectionName = "Providers:Next";

    /// <summary>The version this client is written against (its Order schema, its header).</summary>
    public const string DefaultApiVersion = "2024-04-01";

    /// <summary>The store's base URL, <c>https://{store}.29next.store</c> (the client appends <c>/api/admin/</c>).</summary>
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary>The OAuth app's access token, sent as <c>Authorization: Bearer …</c>. A secret.</summary>
    public string AccessToken { get; set; } = string.Empty;

    /// <summary>Sent as <c>X-29Next-Api-Version</c> on every call (the 2024-04-01 spec marks it required everywhere).</summary>
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>The signing secret of the store's webhook (hex HMAC-SHA256 in <c>X-29Next-Signature</c>). A secret.</summary>
    public string WebhookSecret { get; set; } = string.Empty;

    /// <summary>Default <c>payment_details.payment_gateway</c> (a NEXT gateway id) when an order does not name one.</summary>
    public int? PaymentGateway { get; set; }

    /// <summary>Default <c>payment_details.payment_gateway_group</c> when an order does not name one.</summary>
    public int? PaymentGatewayGroup { get; set; }

    /// <summary>
    /// The order metadata key that carries our order id, so that an order NEXT hands back can be checked as
    /// ours. NEXT validates order metadata against definitions: the store needs a text metadata field with this
    /// key on object <c>order</c> (Admin API <c>metadataCreate</c>, or the dashboard's metadata settings).
    /// </summary>
    public string OrderIdMetadataKey { get; set; } = "payments_order_id";

    public override string ToString() => $"NextOptions {{ BaseUrl = {BaseUrl}, ApiVersion = {ApiVersion} }}";
}

/// <summary>Checks <see cref="NextOptions"/> at start-up. Messages name settings, never their secret values.</summary>
public sealed partial class NextOptionsValidator : IValidateOptions<NextOptions>
{
    public ValidateOptionsResult Validate(string? name, NextOptions options)
    {
        var errors = new List<string>();
        if (!ProviderUrls.IsBaseUrl(options.BaseUrl))
        {
            errors.Add($"{NextOptions.SectionName}:BaseUrl must be an absolute http(s) URL without query or user info, such as https://{{store}}.29next.store.");
        }

        if (string.IsNullOrWhiteSpace(options.AccessToken))
        {
            errors.Add($"{NextOptions.SectionName}:AccessToken is required.");
        }

        if (!ApiVersion().IsMatch(options.ApiVersion ?? string.Empty))
        {
            errors.Add($"{NextOptions.SectionName}:ApiVersion must be a NEXT API version such as {NextOptions.DefaultApiVersion} or 'unstable'.");
        }

        if (string.IsNullOrWhiteSpace(options.WebhookSecret))
        {
            errors.Add($"{NextOptions.SectionName}:WebhookSecret is required (NEXT webhooks are verified with it).");
        }

        if (options.PaymentGateway is <= 0)
        {
            errors.Add($"{NextOptions.SectionName}:PaymentGateway must be a positive NEXT gateway id.");
        }

        if (options.PaymentGatewayGroup is <= 0)
        {
            errors.Add($"{NextOptions.SectionName}:PaymentGatewayGroup must be a positive NEXT gateway group id.");
        }

        if (!MetadataKey().IsMatch(options.OrderIdMetadataKey ?? string.Empty))
        {
            errors.Add($"{NextOptions.SectionName}:OrderIdMetadataKey must be 1-64 letters, digits or '_'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex(@"^(?:\d{4}-\d{2}-\d{2}|unstable)$", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersion();

    [GeneratedRegex(@"^[A-Za-z0-9_]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex MetadataKey();
}
