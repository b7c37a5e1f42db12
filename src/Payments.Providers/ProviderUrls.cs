using System.Diagnostics.CodeAnalysis;

namespace Payments.Providers;

/// <summary>The URL rules every provider applies the same way: to its configured API base URL and to the payment page it answers with.</summary>
public static class ProviderUrls
{
    /// <summary>An absolute <c>http</c> or <c>https</c> URL: a page the shopper can be sent to.</summary>
    public static bool IsWebUrl([NotNullWhen(true)] string? url, [NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(url, UriKind.Absolute, out uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    /// <summary>
    /// A provider API's base URL: an absolute http(s) URL with no query, fragment or user info (credentials belong in
    /// their own settings, and relative paths are resolved against it).
    /// </summary>
    public static bool IsBaseUrl([NotNullWhen(true)] string? url) =>
        IsWebUrl(url, out var uri) && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0;
}
