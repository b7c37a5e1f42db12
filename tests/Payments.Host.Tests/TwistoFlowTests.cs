using System.Text.RegularExpressions;

namespace Payments.Host.Tests;

/// <summary>
/// Twisto end to end, for both API versions: the real handler, the real Twisto client, the Twisto sandbox, Azurite.
/// v4 (default) runs with the sandbox's Immediate Capture, so an approval completes the checkout; v2 waits for
/// activation, so its "pay → succeeded" runs with <c>Providers:Twisto:CaptureOnApproval</c>.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed partial class TwistoFlowTests(AzuriteFixture azurite)
{
    private static Dictionary<string, string?> Settings(string version, bool captureOnApproval = false, bool immediateCapture = true) => new()
    {
        ["Providers:Twisto:ApiVersion"] = version,
        ["Providers:Twisto:CaptureOnApproval"] = captureOnApproval ? "true" : "false",
        ["Sandbox:Twisto:ImmediateCapture"] = immediateCapture ? "true" : "false",
    };

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Paying_in_the_sandbox_ends_at_successUrl_as_succeeded(string version)
    {
        await using var app = await TestApp.StartAsync(azurite, Settings(version, captureOnApproval: true));
        var created = await app.Api.CreateOrderAsync(OrderBodies.Twisto());
        var orderId = created.OrderId;
        Assert.Equal("twisto", created.Provider);
        Assert.StartsWith($"{app.BaseUrl}/sandbox/twisto/gateway/{version}/", created.RedirectUrl);
        Assert.NotNull(created.ProviderReference);

        var back = await ShopperReturnsAsync(app, created, "approve");

        var query = ShopRedirect.AssertSentTo(back, "done", "succeeded");
        Assert.Equal(orderId, query["orderId"]);

        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Equal(version == "v4" ? "completed" : "activated", order.ProviderStatus);
        Assert.Equal(created.ProviderReference, order.ProviderReference);
        var step = Assert.Single(order.History);
        Assert.Equal("pending", step.From);
        Assert.Equal("succeeded", step.To);
        Assert.Equal("return", step.Source);

        var rows = await app.AllRowsAsync();
        Assert.Equal("succeeded", Assert.Single(rows, r => r.PartitionKey == orderId && r.RowKey == "order").GetString("Status"));
        Assert.Single(rows, r => r.PartitionKey == orderId && r.RowKey.StartsWith("event_", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("v4", "cancelled")]
    [InlineData("v2", "failed")]
    public async Task Declining_in_the_sandbox_ends_at_failureUrl(string version, string status)
    {
        await using var app = await TestApp.StartAsync(azurite, Settings(version));
        var created = await app.Api.CreateOrderAsync(OrderBodies.Twisto());
        var orderId = created.OrderId;

        var back = await ShopperReturnsAsync(app, created, "decline");

        ShopRedirect.AssertSentTo(back, "failed", status);
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal(status, order.Status);
        Assert.Equal(version == "v4" ? "cancelled" : "rejected", order.ProviderStatus);
    }

    [Theory]
    [InlineData("v4", "state", "completed")]
    [InlineData("v2", "status", "activated")]
    public async Task A_return_claiming_payment_while_Twisto_says_pending_changes_nothing(string version, string field, string claim)
    {
        await using var app = await TestApp.StartAsync(azurite, Settings(version, captureOnApproval: true));
        var created = await app.Api.CreateOrderAsync(OrderBodies.Twisto());
        var orderId = created.OrderId;

        // The shopper leaves the payment pending at Twisto, then forges the return: the genuine return URL with
        // Twisto's (guessed) parameters claiming success.
        var genuine = await DecideAsync(app, created.RedirectUrl!, "pending");
        var forged = QueryHelpers.AddQueryString(genuine.GetLeftPart(UriPartial.Path), new Dictionary<string, string?>
        {
            ["checkout_id"] = created.ProviderReference,
            [field] = claim,
        });

        var back = await app.Client.GetAsync(forged);

        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.Equal("pending", ShopRedirect.Split(back.Headers.Location!).Query["status"]);
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("pending", order.Status);
        Assert.Empty(order.History);
        Assert.Equal(version == "v4" ? "created" : "checking", order.ProviderStatus);
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task Twistos_webhook_for_a_paid_checkout_settles_the_order_without_a_return(string version)
    {
        await using var app = await TestApp.StartAsync(azurite, Settings(version, captureOnApproval: true));

        // Twisto's webhook URL is set at registration; the sandbox takes it from its settings (read on first use).
        app.App.Configuration["Sandbox:Twisto:WebhookUrl"] = $"{app.BaseUrl}/api/webhooks/twisto";
        var created = await app.Api.CreateOrderAsync(OrderBodies.Twisto());
        var orderId = created.OrderId;

        // The shopper approves, and the browser never comes back.
        var back = await DecideAsync(app, created.RedirectUrl!, "approve");

        var order = await WaitForAsync(app, orderId, "succeeded");
        var step = Assert.Single(order.History);
        Assert.Equal("webhook", step.Source);

        // The late return changes nothing more.
        Assert.Equal(HttpStatusCode.SeeOther, (await app.Client.GetAsync(back)).StatusCode);
        Assert.Single((await app.Api.GetOrderAsync(orderId)).History);
    }

    [Fact]
    public async Task A_posted_v4_webhook_is_only_a_trigger_and_garbage_is_a_400()
    {
        await using var app = await TestApp.StartAsync(azurite, Settings("v4"));
        var created = await app.Api.CreateOrderAsync(OrderBodies.Twisto());
        var orderId = created.OrderId;
        var checkoutId = created.ProviderReference;
        string Hook(string state) => $$"""
            {"checkout_id":"{{checkoutId}}","total_amount":"1249.90","refunded_amount":"0.00","created_date":"2019-08-24T14:15:22Z","settled_date":null,"type":"standard","state":"{{state}}","external_id":"{{orderId}}"}
            """;

        // Unsigned by design, so anyone can post one: a "completed" claim for a checkout still open changes nothing.
        using (var forged = await app.Client.PostAsync("/api/webhooks/twisto", Json(Hook("completed"))))
        {
            Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        }

        Assert.Equal("pending", (await app.Api.GetOrderAsync(orderId)).Status);

        using (var garbage = await app.Client.PostAsync("/api/webhooks/twisto", Json("""{"state":"completed"}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        }

        using (var unknown = await app.Client.PostAsync("/api/webhooks/twisto", Json("""{"checkout_id":"not-ours","state":"completed"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
            Assert.Equal("unknown_order", (await app.Api.ReadAsync<WebhookAck>(unknown)).Status);
        }

        // Once Twisto really completes it (the sandbox's control endpoint; no webhook is configured), the same webhook settles it.
        using (var flip = await app.Client.PostAsync($"/sandbox/twisto/_sandbox/checkouts/{checkoutId}/state", Json("""{"state":"completed"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, flip.StatusCode);
        }

        using (var genuine = await app.Client.PostAsync("/api/webhooks/twisto", Json(Hook("completed"))))
        {
            Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        }

        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Equal("webhook", order.History[0].Source);
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task An_approval_waiting_for_a_charge_is_authorized_then_captured_and_refunded_through_the_api(string version)
    {
        await using var app = await TestApp.StartAsync(azurite, Settings(version, immediateCapture: false));
        var created = await app.Api.CreateOrderAsync(OrderBodies.Twisto());
        var orderId = created.OrderId;

        var back = await ShopperReturnsAsync(app, created, "approve");
        Assert.Equal("authorized", ShopRedirect.Split(back.Headers.Location!).Query["status"]);
        Assert.Equal($"{TestApp.Shop}/checkout/done", ShopRedirect.Split(back.Headers.Location!).Path);

        var captured = await PostAsync(app, $"/api/orders/{orderId}/capture");
        Assert.Equal(HttpStatusCode.OK, captured.StatusCode);
        Assert.Equal("succeeded", (await app.Api.ReadAsync<OrderView>(captured)).Status);

        var partial = await PostAsync(app, $"/api/orders/{orderId}/refunds", """{"amount":"249.90","reason":"requested_by_customer","comment":"one mug broken"}""");
        Assert.Equal(HttpStatusCode.OK, partial.StatusCode);
        Assert.Equal("partially_refunded", (await app.Api.ReadAsync<OrderView>(partial)).Status);

        var rest = await PostAsync(app, $"/api/orders/{orderId}/refunds", "");
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal("refunded", (await app.Api.ReadAsync<OrderView>(rest)).Status);

        // Twisto agrees (v2 orders show what was refunded; v4 checkouts do not).
        if (version == "v2")
        {
            using var read = new HttpRequestMessage(HttpMethod.Get, $"/sandbox/twisto/psp/v2/order/{created.ProviderReference}/");
            read.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Token", "sandbox-secret-key");
            var twisto = (await (await app.Client.SendAsync(read)).Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal("refunded", twisto["status"]!.GetValue<string>());
            Assert.Equal("1249.90", twisto["refund_amount"]!.GetValue<string>());
            Assert.Equal("0.00", twisto["current_amount"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public async Task An_authorized_payment_can_be_cancelled(string version)
    {
        await using var app = await TestApp.StartAsync(azurite, Settings(version, immediateCapture: false));
        var created = await app.Api.CreateOrderAsync(OrderBodies.Twisto());
        var orderId = created.OrderId;
        await ShopperReturnsAsync(app, created, "approve");

        var cancelled = await PostAsync(app, $"/api/orders/{orderId}/cancel");

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        var order = await app.Api.ReadAsync<OrderView>(cancelled);
        Assert.Equal("cancelled", order.Status);
        Assert.Equal(version == "v4" ? "cancelled" : "canceled", order.ProviderStatus);
    }

    [Fact]
    public async Task Twistos_limits_are_422s_naming_twisto_and_write_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite, Settings("v4"));
        var body = OrderBodies.Twisto(currency: "CHF");
        body["customer"]!["firstName"] = new string('J', 41);
        body["providerOptions"] = new JsonObject { ["type"] = "pay-in-four" };

        var response = await app.Api.PostOrderAsync(body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await app.Api.ReadAsync<Problem>(response)).Errors!;
        Assert.Equal(["currency", "customer.firstName", "providerOptions.type"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.StartsWith("twisto: ", e.Value[0], StringComparison.Ordinal));
        Assert.Empty(await app.AllRowsAsync());
    }

    [Fact]
    public async Task Pay_in_three_is_passed_to_twisto()
    {
        await using var app = await TestApp.StartAsync(azurite, Settings("v4", immediateCapture: false));
        var body = OrderBodies.Twisto();
        body["providerOptions"] = new JsonObject { ["type"] = "pay-in-three" };
        var created = await app.Api.CreateOrderAsync(body);

        var page = await app.Client.GetStringAsync(created.RedirectUrl);
        Assert.Contains("Pay in 3", page, StringComparison.Ordinal);

        // Pay in 3 completes at once even without Immediate Capture.
        var back = await ShopperReturnsAsync(app, created, "approve");
        Assert.Equal("succeeded", ShopRedirect.Split(back.Headers.Location!).Query["status"]);
    }

    /// <summary>The shopper decides on Twisto's page and the browser follows Twisto back to our return URL.</summary>
    private static async Task<HttpResponseMessage> ShopperReturnsAsync(TestApp app, OrderView created, string decision) =>
        await app.Client.GetAsync(await DecideAsync(app, created.RedirectUrl!, decision));

    /// <summary>
    /// Presses a button on the sandbox's gateway page and returns where Twisto sends the browser: v4 redirects
    /// (303) to <c>redirect_uri</c>; v2 shows a page that goes to <c>return_url</c> after 5 seconds.
    /// </summary>
    private static async Task<Uri> DecideAsync(TestApp app, string redirectUrl, string decision)
    {
        var page = await app.Client.GetAsync(redirectUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var form = HtmlForms.Parse(await page.Content.ReadAsStringAsync()).Single(f => f.Buttons.Any(b => b.Value == decision));
        var button = form.Buttons.Single(b => b.Value == decision);
        var action = string.IsNullOrEmpty(form.Action) ? new Uri(redirectUrl) : new Uri(new Uri(redirectUrl), form.Action);
        var answer = await app.Client.PostAsync(action, new FormUrlEncodedContent(form.Inputs.Append(new(button.Name, button.Value))));
        if (answer.StatusCode == HttpStatusCode.SeeOther)
        {
            return answer.Headers.Location!;
        }

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var link = ReturnLink().Match(await answer.Content.ReadAsStringAsync());
        Assert.True(link.Success, "the v2 decision page has no return link");
        return new Uri(WebUtility.HtmlDecode(link.Groups["href"].Value));
    }

    private static async Task<OrderView> WaitForAsync(TestApp app, string orderId, string status)
    {
        for (var i = 0; ; i++)
        {
            var order = await app.Api.GetOrderAsync(orderId);
            if (order.Status == status || i == 50)
            {
                Assert.Equal(status, order.Status);
                return order;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<HttpResponseMessage> PostAsync(TestApp app, string path, string? json = null) =>
        await app.Client.PostAsync(path, json is null ? null : Json(json));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [GeneratedRegex("<a id=\"return\" href=\"(?<href>[^\"]*)\"")]
    private static partial Regex ReturnLink();
}
