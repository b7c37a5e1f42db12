using System.Net.Http.Headers;

namespace Payments.Host.Tests;

/// <summary>What the shopper's browser and the merchant's Neuro-Pay account do on the Neuro-Pay sandbox, without a browser.</summary>
public static class NeuroPayShopper
{
    /// <summary>The placeholder key SandboxDefaults gives the client, for reading the sandbox directly.</summary>
    public const string SandboxApiKey = "sandbox-api-key";

    /// <summary>Presses a button on the hosted checkout page; returns where Neuro-Pay sends the browser (a 303).</summary>
    public static async Task<Uri> DecideAsync(TestApp app, string pageUrl, string decision, bool saveCard = false)
    {
        var page = await app.Client.GetAsync(pageUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var form = HtmlForms.Parse(await page.Content.ReadAsStringAsync()).Single(f => f.Buttons.Any(b => b.Value == decision));
        var fields = new List<KeyValuePair<string, string>> { new("decision", decision) };
        if (saveCard)
        {
            Assert.Contains(form.Inputs, i => i.Key == "save_card");
            fields.Add(new("save_card", "true"));
        }

        var answer = await app.Client.PostAsync(pageUrl, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        return answer.Headers.Location!;
    }

    /// <summary>The browser following a redirect to our return endpoint: the 303 it gets to the shop.</summary>
    public static async Task<(string Path, Dictionary<string, string> Query)> FollowAsync(TestApp app, Uri location)
    {
        Assert.StartsWith($"{app.BaseUrl}/api/return/neuropay/", location.AbsoluteUri, StringComparison.Ordinal);
        var back = await app.Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        return ShopRedirect.Split(back.Headers.Location!);
    }

    /// <summary>Reads a checkout straight from the sandbox API, as the merchant's Neuro-Pay account sees it.</summary>
    public static async Task<JsonObject> CheckoutAsync(TestApp app, string checkoutId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sandbox/neuropay/checkout/retrieve")
        {
            Content = new StringContent($$"""{"checkout_id":"{{checkoutId}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SandboxApiKey);
        var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
