using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Payments.Host.Tests;

/// <summary>
/// The NEXT payment in a real browser (Debian's Chromium, driven by playwright-core): the hosted page's
/// buttons, the sandbox's self-submitting return form and our 303 all run as a shopper's browser runs them.
/// scripts/test.sh installs Chromium; without it these tests fail and say so, they do not skip.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class BrowserPaymentTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("Pay", "done", "succeeded")]
    [InlineData("Decline", "failed", "failed")]
    public async Task A_shopper_in_Chromium_pays_or_declines_and_lands_on_the_shop(string button, string page, string status)
    {
        // The storefront: a local server the browser really lands on.
        await using var shop = WebApplication.Create(["--urls", "http://127.0.0.1:0"]);
        shop.MapGet("/{**path}", () => Results.Content("<h1>shop</h1>", "text/html"));
        await shop.StartAsync();
        var shopOrigin = shop.Urls.Single().TrimEnd('/');

        await using var app = await TestApp.StartAsync(azurite, new Dictionary<string, string?> { ["Security:AllowedRedirectOrigins:1"] = shopOrigin });
        var body = OrderBodies.Next();
        body["successUrl"] = $"{shopOrigin}/checkout/done";
        body["failureUrl"] = $"{shopOrigin}/checkout/failed";
        var created = await app.Api.CreateOrderAsync(body);
        var orderId = created.OrderId;

        var finalUrl = new Uri(await BrowserShopper.RunAsync(created.RedirectUrl!, button, shopOrigin));

        Assert.Equal($"{shopOrigin}/checkout/{page}", finalUrl.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(finalUrl.Query);
        Assert.Equal(orderId, query["orderId"].ToString());
        Assert.Equal(status, query["status"].ToString());
        Assert.Equal(status, (await app.Api.GetOrderAsync(orderId)).Status);
    }
}
