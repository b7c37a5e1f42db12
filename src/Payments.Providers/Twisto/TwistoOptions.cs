using Microsoft.Extensions.Options;
using Payments.Core.Money;

namespace Payments.Providers.Twisto;

/// <summary>
/// Twisto PSP settings, bound from <c>Providers:Twisto</c>. A class, not a record: its <see cref="ToString"/>
/// must never print the secret key.
/// </summary>
public sealed class TwistoOptions
{
    public const string SectionName = "Providers:Twisto";

    /// <summary>The PSP API v4 (checkouts; <c>Authorization: Bearer …</c>). The default.</summary>
    public const string V4 = "v4";

    /// <summary>The deprecated Universal API v2 (orders; <c>Authorization: Token …</c>), still used by existing merchants.</summary>
    public const string V2 = "v2";

    /// <summary>
    /// Used when <see cref="Currencies"/> is not set: the currencies of the two countries Twisto documents API
    /// hosts for (<c>api.twisto.cz</c>, <c>api.twisto.pl</c>). Twisto's docs do not list the currencies it serves
    /// (the "How Twisto works" availability table is not in any copy we could read), so this is a conservative
    /// choice: an account that settles in another currency (EUR) lists it in <c>Providers:Twisto:Currencies</c>.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultCurrencies = ["CZK", "PLN"];

    /// <summary>
    /// Where the API lives, without the <c>/psp/…</c> path: <c>https://api.twisto.cz</c> or
    /// <c>https://api.twisto.pl</c> (the client appends <c>/psp/v4/…</c> or <c>/psp/v2/…</c>).
    /// </summary>
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary><see cref="V4"/> (default) or <see cref="V2"/>: the API new orders are created with.</summary>
    /// <remarks>
    /// Each order remembers the version it was created with (<see cref="TwistoProvider.ApiVersionKey"/>) and is
    /// always read, captured, refunded and cancelled through that version, so switching only affects new orders.
    /// </remarks>
    public string ApiVersion { get; set; } = V4;

    /// <summary>The API key: sent as <c>Bearer …</c> (v4) or <c>Token …</c> (v2). A secret.</summary>
    public string SecretKey { get; set; } = string.Empty;

    /// <summary>
    /// Who sells: v4 <c>merchant_reference</c> (the merchant's unique external reference given when it was
    /// registered with <c>POST /merchants</c>), v2 <c>order_data.eshop_external_id</c> ("E-shop's ID provided by
    /// the PSP", at most 36 characters).
    /// </summary>
    public string MerchantReference { get; set; } = string.Empty;

    /// <summary>The currencies this Twisto account takes; unset means <see cref="DefaultCurrencies"/>.</summary>
    /// <remarks>
    /// v2 orders carry no currency at all: the e-shop's currency is implied. A v2 account should list exactly the
    /// currency of its e-shop here.
    /// </remarks>
    public string[]? Currencies { get; set; }

    /// <summary>
    /// When Twisto has approved a payment that still has to be charged (v4 <c>approved</c>, which Twisto only
    /// reports to accounts without Immediate Capture; v2 <c>accepted</c>, which always waits for activation),
    /// charge it as soon as it is confirmed (v4 <c>POST /charges</c> with <c>capture: true</c>; v2
    /// <c>POST /order/{id}/activate</c>, which sends the shopper Twisto's invoice). Off by default: the payment
    /// is then <c>authorized</c> until the merchant captures it (<c>POST /api/orders/{id}/capture</c>), e.g. when
    /// the goods ship, as Twisto intends.
    /// </summary>
    public bool CaptureOnApproval { get; set; }

    /// <summary>The currencies in effect.</summary>
    public IReadOnlyList<string> EffectiveCurrencies() => Currencies is { Length: > 0 } c ? c : DefaultCurrencies;

    public override string ToString() =>
        $"TwistoOptions {{ BaseUrl = {BaseUrl}, ApiVersion = {ApiVersion}, MerchantReference = {MerchantReference}, "
        + $"Currencies = {string.Join(",", EffectiveCurrencies())}, CaptureOnApproval = {CaptureOnApproval} }}";
}

/// <summary>Checks <see cref="TwistoOptions"/> at start-up. Messages name settings, never their secret values.</summary>
public sealed class TwistoOptionsValidator : IValidateOptions<TwistoOptions>
{
    public ValidateOptionsResult Validate(string? name, TwistoOptions options)
    {
        var errors = new List<string>();
        const string s = TwistoOptions.SectionName;
        if (!ProviderUrls.IsBaseUrl(options.BaseUrl))
        {
            errors.Add($"{s}:BaseUrl must be an absolute http(s) URL without query or user info, such as https://api.twisto.cz or https://api.twisto.pl.");
        }

        if (options.ApiVersion is not (TwistoOptions.V4 or TwistoOptions.V2))
        {
            errors.Add($"{s}:ApiVersion must be '{TwistoOptions.V4}' (default) or '{TwistoOptions.V2}'.");
        }

        if (string.IsNullOrWhiteSpace(options.SecretKey) || options.SecretKey.Any(char.IsControl) || options.SecretKey.Contains(' ', StringComparison.Ordinal))
        {
            errors.Add($"{s}:SecretKey is required (one token, no spaces).");
        }

        var maxReference = options.ApiVersion == TwistoOptions.V2 ? TwistoOrderMapping.MaxEshopExternalIdLength : TwistoOrderMapping.MaxTextLength;
        if (string.IsNullOrWhiteSpace(options.MerchantReference) || options.MerchantReference.Length > maxReference
            || options.MerchantReference.Any(char.IsControl))
        {
            errors.Add($"{s}:MerchantReference is required: the merchant's registered reference (v4 merchant_reference) or the e-shop id (v2 eshop_external_id), at most {maxReference} characters.");
        }

        foreach (var code in options.EffectiveCurrencies())
        {
            if (!Currency.TryFromCode(code, out var currency) || currency.Exponent > 2)
            {
                errors.Add($"{s}:Currencies must be ISO 4217 codes with at most two decimals (Twisto amounts have two), not '{code}'.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
