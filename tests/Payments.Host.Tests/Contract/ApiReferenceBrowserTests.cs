using Payments.Host.Api;

namespace Payments.Host.Tests.Contract;

/// <summary>The Scalar API reference of a standalone run, opened in Chromium: it renders the operations of the document, from the app alone.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ApiReferenceBrowserTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_API_reference_opens_in_Chromium_and_shows_the_operations()
    {
        await using var app = await TestApp.StartAsync(azurite);

        var page = await BrowserShopper.RunScriptAsync("reference.mjs", app.BaseUrl + OpenApiContract.ReferenceRoute, "Open a payment", "Read an order");

        Assert.Equal(200, page["status"]!.GetValue<int>());
        Assert.Equal(["Open a payment", "Read an order"], page["operations"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Empty(page["failedRequests"]!.AsArray());
        Assert.Empty(page["elsewhere"]!.AsArray());
    }
}
