using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Payments.Host.Hosting;

/// <summary><c>Security:*</c> settings.</summary>
public sealed class SecurityOptions : IValidatableObject
{
    public const int MinSigningKeyLength = 32;

    /// <summary>Keys the HMAC in return URLs. At least 32 characters; from Key Vault in Azure.</summary>
    [Required]
    [MinLength(MinSigningKeyLength, ErrorMessage = "Security:SigningKey must be at least 32 characters.")]
    public string SigningKey { get; set; } = string.Empty;

    /// <summary>Origins (<c>https://shop.example</c>) that successUrl and failureUrl may point to.</summary>
    public List<string> AllowedRedirectOrigins { get; } = [];

    /// <summary>
    /// An App Service Key Vault reference that did not resolve stays in the setting as its literal text, which
    /// is long enough to pass the length rule and is public knowledge: refuse to start with it as the key.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SigningKey.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult("Security:SigningKey is an unresolved Key Vault reference; check the app's access to the vault.",
                [nameof(SigningKey)]);
        }

        foreach (var origin in AllowedRedirectOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || origin.EndsWith('/'))
            {
                yield return new ValidationResult($"Security:AllowedRedirectOrigins: '{origin}' is not an origin such as https://shop.example.",
                    [nameof(AllowedRedirectOrigins)]);
            }
        }
    }

    public override string ToString() => $"SecurityOptions {{ AllowedRedirectOrigins = [{string.Join(", ", AllowedRedirectOrigins)}] }}";
}

/// <summary>The service's externally visible base URL (<c>PublicBaseUrl</c>).</summary>
public sealed class PublicUrlOptions
{
    [Required(ErrorMessage = "PublicBaseUrl is required: the externally visible base URL, e.g. https://pay.example.com.")]
    [Url]
    public string PublicBaseUrl { get; set; } = string.Empty;
}

/// <summary>
/// The data-annotation checks of <see cref="SecurityOptions"/> (and its <see cref="IValidatableObject.Validate"/>), generated at
/// build time: the same rules and messages as <c>ValidateDataAnnotations()</c>, without its reflection over the type on start.
/// </summary>
[OptionsValidator]
public sealed partial class SecurityOptionsValidator : IValidateOptions<SecurityOptions>;

/// <summary>The data-annotation checks of <see cref="PublicUrlOptions"/>, generated at build time.</summary>
[OptionsValidator]
public sealed partial class PublicUrlOptionsValidator : IValidateOptions<PublicUrlOptions>;
