using System.ComponentModel.DataAnnotations;

namespace Payments.Host.Hosting;

/// <summary><c>Security:*</c> settings.</summary>
public sealed class SecurityOptions
{
    public const int MinSigningKeyLength = 32;

    /// <summary>Keys the HMAC in return URLs. At least 32 characters; from Key Vault in Azure.</summary>
    [Required]
    [MinLength(MinSigningKeyLength, ErrorMessage = "Security:SigningKey must be at least 32 characters.")]
    public string SigningKey { get; set; } = string.Empty;

    /// <summary>Origins (<c>https://shop.example</c>) that successUrl and failureUrl may point to.</summary>
    public List<string> AllowedRedirectOrigins { get; } = [];

    public override string ToString() => $"SecurityOptions {{ AllowedRedirectOrigins = [{string.Join(", ", AllowedRedirectOrigins)}] }}";
}

/// <summary>The service's externally visible base URL (<c>PublicBaseUrl</c>).</summary>
public sealed class PublicUrlOptions
{
    [Required(ErrorMessage = "PublicBaseUrl is required: the externally visible base URL, e.g. https://pay.example.com.")]
    [Url]
    public string PublicBaseUrl { get; set; } = string.Empty;
}
