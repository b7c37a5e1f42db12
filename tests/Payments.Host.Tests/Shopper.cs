namespace Payments.Host.Tests;

/// <summary>Does what the shopper's browser does on the sandbox's hosted page, without a browser.</summary>
public static class Shopper
{
    /// <summary>Opens the payment page, presses the button with <paramref name="decision"/>, and returns the page the sandbox answers with.</summary>
    public static async Task<HtmlForm> DecideAsync(HttpClient client, string redirectUrl, string decision)
    {
        var page = await client.GetAsync(redirectUrl);
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        var form = HtmlForms.Parse(await page.Content.ReadAsStringAsync()).Single(f => f.Buttons.Any(b => b.Value == decision));
        var button = form.Buttons.Single(b => b.Value == decision);
        var action = string.IsNullOrEmpty(form.Action) ? new Uri(redirectUrl) : new Uri(new Uri(redirectUrl), form.Action);
        var fields = form.Inputs.Append(new KeyValuePair<string, string>(button.Name, button.Value));
        var answer = await client.PostAsync(action, new FormUrlEncodedContent(fields));
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);

        // NEXT answers with a page whose form posts `response` back to the shop by itself.
        return HtmlForms.Parse(await answer.Content.ReadAsStringAsync()).Single();
    }

    /// <summary>Submits the auto-submitting return form, as the browser's script does.</summary>
    public static Task<HttpResponseMessage> ReturnAsync(HttpClient client, HtmlForm returnForm) =>
        client.PostAsync(returnForm.Action, new FormUrlEncodedContent(returnForm.Inputs));

    public static async Task<HttpResponseMessage> PayAsync(HttpClient client, string redirectUrl, string decision = "pay") =>
        await ReturnAsync(client, await DecideAsync(client, redirectUrl, decision));
}
