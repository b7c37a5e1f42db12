using Microsoft.AspNetCore.WebUtilities;

namespace Payments.Host.Tests;

/// <summary>Where a shopper's return sends the browser: the shop's page and the <c>orderId</c> and <c>status</c> it is told.</summary>
public static class ShopRedirect
{
    public static (string Path, Dictionary<string, string> Query) Split(Uri location) =>
        (location.GetLeftPart(UriPartial.Path), QueryHelpers.ParseQuery(location.Query).ToDictionary(q => q.Key, q => q.Value.ToString()));
}
