using Microsoft.Extensions.Options;

namespace Payments.Providers.NeuroPay;

/// <summary>
/// Neuro-Pay (paiwise) checkout API settings, bound from <c>Providers:NeuroPay</c>. A class, not a record: its
/// <see cref="ToString"/> must never print the API key.
/// </summary>
public sealed class NeuroPayOptions
{
    public const string SectionName = "Providers:NeuroPay";

    /// <summary>The host of the seed document (wiki.paiwise.tech). The newer docs (docs.neuro-tech.io) use
    /// <c>https://api.neuro-admin.com</c>: set <see cref="BaseUrl"/> to that where the account lives there.</summary>
    public const string DefaultBaseUrl = "https://api.paiwise.com";

    /// <summary>The API host; the client appends <c>/checkout/{endpoint}</c>.</summary>
    public string BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>The company's API key from Neuro-Admin (test or live), sent as <c>Authorization: Bearer …</c>. A secret.</summary>
    public string ApiKey { get; set; } = string.Empty;

    public override string ToString() => $"NeuroPayOptions {{ BaseUrl = {BaseUrl} }}";
}

/// <summary>Checks <see cref="NeuroPayOptions"/> at start-up. Messages name settings, never their secret values.</summary>
public sealed class NeuroPayOptionsValidator : IValidateOptions<NeuroPayOptions>
{
    public ValidateOptionsResult Validate(string? name, NeuroPayOptions options)
    {
        var errors = new List<string>();
        if (!ProviderUrls.IsBaseUrl(options.BaseUrl))
        {
            errors.Add($"{NeuroPayOptions.SectionName}:BaseUrl must be an absolute http(s) URL without query or user info, such as {NeuroPayOptions.DefaultBaseUrl}.");
        }

        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            errors.Add($"{NeuroPayOptions.SectionName}:ApiKey is required.");
        }
        else if (options.ApiKey.Any(char.IsControl) || options.ApiKey.Trim() != options.ApiKey)
        {
            errors.Add($"{NeuroPayOptions.SectionName}:ApiKey must not contain whitespace at its ends or control characters.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
