namespace Payments.Host.Tests;

/// <summary>Where a shopper's return sends the browser: the shop's page and the <c>orderId</c> and <c>status</c> it is told.</summary>
public static class ShopRedirect
{
    public static (string Path, Dictionary<string, string> Query) Split(Uri location) =>
        (location.GetLeftPart(UriPartial.Path), QueryHelpers.ParseQuery(location.Query).ToDictionary(q => q.Key, q => q.Value.ToString()));

    /// <summary>Asserts the return answered <c>303</c> to the shop's <paramref name="page"/> (done, failed) telling <paramref name="status"/>; answers the query.</summary>
    public static Dictionary<string, string> AssertSentTo(HttpResponseMessage back, string page, string status)
    {
        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        return AssertAt(Split(back.Headers.Location!), page, status);
    }

    /// <summary>Asserts a redirect already followed went to the shop's <paramref name="page"/> telling <paramref name="status"/>; answers the query.</summary>
    public static Dictionary<string, string> AssertAt((string Path, Dictionary<string, string> Query) redirect, string page, string status)
    {
        Assert.Equal($"{TestApp.Shop}/checkout/{page}", redirect.Path);
        Assert.Equal(status, redirect.Query["status"]);
        return redirect.Query;
    }
}
