using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Payments.Providers.Mangopay;

/// <summary>
/// Mangopay API settings, bound from <c>Providers:Mangopay</c>. A class, not a record: its <see cref="ToString"/>
/// must never print the API key.
/// </summary>
public sealed partial class MangopayOptions
{
    public const string SectionName = "Providers:Mangopay";

    /// <summary>
    /// Where the OAuth token is asked for, relative to <see cref="BaseUrl"/>. Mangopay's docs and its .NET SDK use
    /// <c>POST /v2.01/oauth/token</c> (no ClientId in the path, Basic <c>ClientId:ApiKey</c>, form
    /// <c>grant_type=client_credentials</c>); PROVIDERS.md marks the exact form uncertain, so this is the one
    /// place to change it (<c>Providers:Mangopay:TokenPath</c>).
    /// </summary>
    public const string DefaultTokenPath = "/v2.01/oauth/token";

    /// <summary>
    /// <c>https://api.mangopay.com</c> (production) or <c>https://api.sandbox.mangopay.com</c>; the client adds
    /// <c>/v2.01/{ClientId}/…</c>.
    /// </summary>
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary>The platform's API account id (in every resource path, and the Basic user of the token call).</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The API key (the Basic password of the token call). A secret.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>The wallet every TWINT pay-in credits.</summary>
    public string CreditedWalletId { get; set; } = string.Empty;

    /// <summary>The Mangopay user at the source of the pay-ins (and the author of their refunds).</summary>
    public string AuthorId { get; set; } = string.Empty;

    /// <summary>The token endpoint, relative to <see cref="BaseUrl"/>; see <see cref="DefaultTokenPath"/>.</summary>
    public string TokenPath { get; set; } = DefaultTokenPath;

    /// <summary>
    /// The default <c>StatementDescriptor</c> (≤ 10 letters, digits or spaces), used when an order's
    /// <c>providerOptions.statementDescriptor</c> does not name one. Empty: none is sent.
    /// </summary>
    public string? StatementDescriptor { get; set; }

    public override string ToString() =>
        $"MangopayOptions {{ BaseUrl = {BaseUrl}, ClientId = {ClientId}, CreditedWalletId = {CreditedWalletId}, AuthorId = {AuthorId}, TokenPath = {TokenPath} }}";

    /// <summary>Mangopay ids (users, wallets, pay-ins, refunds): "Max length: 128 characters".</summary>
    public static bool IsMangopayId(string? id) => id is not null && MangopayId().IsMatch(id);

    /// <summary>Mangopay's rule for <c>StatementDescriptor</c>: at most 10 characters, alphanumeric and spaces.</summary>
    public static bool IsStatementDescriptor(string? text) => text is not null && Descriptor().IsMatch(text);

    [GeneratedRegex(@"^[A-Za-z0-9_\-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex MangopayId();

    [GeneratedRegex(@"^[A-Za-z0-9 ]{1,10}$", RegexOptions.CultureInvariant)]
    private static partial Regex Descriptor();
}

/// <summary>Checks <see cref="MangopayOptions"/> at start-up. Messages name settings, never their secret values.</summary>
public sealed class MangopayOptionsValidator : IValidateOptions<MangopayOptions>
{
    public ValidateOptionsResult Validate(string? name, MangopayOptions options)
    {
        var errors = new List<string>();
        const string section = MangopayOptions.SectionName;
        if (!ProviderUrls.IsBaseUrl(options.BaseUrl))
        {
            errors.Add($"{section}:BaseUrl must be an absolute http(s) URL without query or user info, such as https://api.mangopay.com.");
        }

        if (!MangopayOptions.IsMangopayId(options.ClientId))
        {
            errors.Add($"{section}:ClientId is required: the platform's Mangopay ClientId (letters, digits, '_' or '-').");
        }

        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            errors.Add($"{section}:ApiKey is required.");
        }

        if (!MangopayOptions.IsMangopayId(options.CreditedWalletId))
        {
            errors.Add($"{section}:CreditedWalletId is required: the id of the wallet TWINT pay-ins credit.");
        }

        if (!MangopayOptions.IsMangopayId(options.AuthorId))
        {
            errors.Add($"{section}:AuthorId is required: the id of the Mangopay user at the source of the pay-ins.");
        }

        var path = options.TokenPath ?? string.Empty;
        if (path.Length is 0 or > 200 || path.Contains("://", StringComparison.Ordinal) || path.IndexOfAny(['?', '#', '\\', ' ']) >= 0
            || !Uri.IsWellFormedUriString(path.TrimStart('/'), UriKind.Relative))
        {
            errors.Add($"{section}:TokenPath must be a path relative to BaseUrl, such as {MangopayOptions.DefaultTokenPath}.");
        }

        if (!string.IsNullOrEmpty(options.StatementDescriptor) && !MangopayOptions.IsStatementDescriptor(options.StatementDescriptor))
        {
            errors.Add($"{section}:StatementDescriptor must be at most 10 letters, digits or spaces.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
