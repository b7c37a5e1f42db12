using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Providers.Twisto;

namespace Payments.Providers.Tests.Twisto;

/// <summary>The real Twisto client and provider against the sandbox over HTTP, as a shopper's browser goes through it.</summary>
public sealed partial class TwistoSandboxRoundTripTests
{
    private static HttpClient Browser() => new(new HttpClientHandler { AllowAutoRedirect = false });

    [Fact]
    public async Task V4_approve_returns_the_shopper_with_the_checkout_and_confirms_as_succeeded()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, baseUrl: sandbox.BaseUrl);
        var provider = services.Provider();
        var order = TwistoTestKit.Order();

        var session = await provider.CreateSessionAsync(TwistoTestKit.SessionRequest(order), CancellationToken.None);
        Assert.StartsWith($"{sandbox.BaseUrl}/gateway/v4/", session.RedirectUrl, StringComparison.Ordinal);
        Assert.NotNull(session.ProviderReference);

        using var browser = Browser();
        var page = await browser.GetStringAsync(session.RedirectUrl);
        Assert.Contains("CZK 1249.90", page, StringComparison.Ordinal);
        Assert.Contains("jana@example.cz", page, StringComparison.Ordinal);
        Assert.Contains("value=\"approve\"", page, StringComparison.Ordinal);
        Assert.Contains("value=\"decline\"", page, StringComparison.Ordinal);
        Assert.Contains("value=\"pending\"", page, StringComparison.Ordinal);

        var back = await DecideV4Async(browser, session.RedirectUrl, "approve");
        Assert.Equal(TwistoTestKit.ReturnUrl.GetLeftPart(UriPartial.Path), back.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(back.Query);
        Assert.Equal(session.ProviderReference, query["checkout_id"].ToString());
        Assert.Equal("completed", query["state"].ToString());

        var evidence = provider.ReadReturn(new ReturnRequest("GET", query.ToDictionary(q => q.Key, q => q.Value.ToString()), new Dictionary<string, string>(), false));
        Assert.Equal(ClaimedOutcome.Paid, evidence.Claim);
        var state = await provider.ConfirmAsync(order with { ProviderReference = session.ProviderReference, ProviderData = session.ProviderData }, evidence, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal("completed", state.ProviderStatus);

        // The whole documented checkout came back.
        var checkout = await services.Client().GetCheckoutAsync(session.ProviderReference!, CancellationToken.None);
        Assert.Equal("shop-42", checkout.MerchantReference);
        Assert.Equal(TwistoTestKit.OrderId, checkout.Order!.Reference);
        Assert.Equal(3, checkout.Order.Items!.Count);
        Assert.Equal("CZ", checkout.Shopper!.BillingAddress!.Country);
        Assert.Equal(TwistoTestKit.ReturnUrl.AbsoluteUri, checkout.Config!.RedirectUri);

        // The documented webhook went out before the shopper was sent back.
        var hook = JsonNode.Parse(Assert.Single(sandbox.Hooks))!.AsObject();
        Assert.Equal(["checkout_id", "total_amount", "refunded_amount", "created_date", "settled_date", "type", "state", "external_id"], hook.Select(p => p.Key));
        Assert.Equal("completed", hook["state"]!.GetValue<string>());
        Assert.Equal(TwistoTestKit.OrderId, hook["external_id"]!.GetValue<string>());
        var reading = provider.ReadWebhook(TwistoTestKit.Webhook(hook.ToJsonString()));
        Assert.Equal(WebhookVerdict.Accepted, reading.Verdict);
        Assert.Equal(session.ProviderReference, reading.ProviderReference);

        // The gateway page is decided once.
        using var again = await browser.PostAsync(session.RedirectUrl, Form("approve"));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task V4_decline_is_cancelled()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, baseUrl: sandbox.BaseUrl);
        var (provider, order, session) = await OpenAsync(services);

        using var browser = Browser();
        var back = await DecideV4Async(browser, session.RedirectUrl, "decline");

        Assert.Equal("cancelled", QueryHelpers.ParseQuery(back.Query)["state"].ToString());
        var state = await provider.ConfirmAsync(order, null, CancellationToken.None);
        Assert.Equal(PaymentStatus.Cancelled, state.Status);
    }

    [Fact]
    public async Task V4_a_forged_completed_return_for_a_pending_checkout_is_not_trusted()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, baseUrl: sandbox.BaseUrl);
        var (provider, order, session) = await OpenAsync(services);

        using var browser = Browser();
        var back = await DecideV4Async(browser, session.RedirectUrl, "pending");
        Assert.Equal("created", QueryHelpers.ParseQuery(back.Query)["state"].ToString());
        Assert.Empty(sandbox.Hooks);

        var forged = provider.ReadReturn(TwistoTestKit.Return(new Dictionary<string, string> { ["checkout_id"] = session.ProviderReference!, ["state"] = "completed" }));
        Assert.Equal(ClaimedOutcome.Paid, forged.Claim);
        var state = await provider.ConfirmAsync(order, forged, CancellationToken.None);
        Assert.Null(state.Status);
        Assert.Equal("created", state.ProviderStatus);

        // A payment left pending can still be finished on the page.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(session.RedirectUrl)).StatusCode);
    }

    [Fact]
    public async Task Another_orders_checkout_does_not_settle_ours()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, baseUrl: sandbox.BaseUrl);
        var provider = services.Provider();
        var theirs = TwistoTestKit.Order(id: "ord_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        var session = await provider.CreateSessionAsync(TwistoTestKit.SessionRequest(theirs), CancellationToken.None);
        using var browser = Browser();
        await DecideV4Async(browser, session.RedirectUrl, "approve");

        var state = await provider.ConfirmAsync(TwistoTestKit.Order(), new ReturnEvidence(session.ProviderReference, ClaimedOutcome.Paid), CancellationToken.None);

        Assert.Null(state.Status);
        Assert.Null(state.ProviderReference);
    }

    [Fact]
    public async Task V4_without_immediate_capture_is_authorized_then_captured_refunded_and_not_cancellable()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync(immediateCapture: false);
        using var services = TwistoTestKit.Services(null, baseUrl: sandbox.BaseUrl);
        var (provider, order, session) = await OpenAsync(services);
        using var browser = Browser();
        await DecideV4Async(browser, session.RedirectUrl, "approve");

        Assert.Equal(PaymentStatus.Authorized, (await provider.ConfirmAsync(order, null, CancellationToken.None)).Status);

        var captured = await provider.CaptureAsync(order, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, captured.Status);
        Assert.NotNull(captured.ProviderData![TwistoProvider.ChargeIdKey]);
        Assert.Equal(PaymentStatus.Succeeded, (await provider.ConfirmAsync(order, null, CancellationToken.None)).Status);

        // A capture asked again (a retry) charges nothing more.
        Assert.Equal(PaymentStatus.Succeeded, (await provider.CaptureAsync(order, CancellationToken.None)).Status);

        var first = await provider.RefundAsync(order, new RefundRequest("rf_a", 20000, null, null), CancellationToken.None);
        var replay = await provider.RefundAsync(order, new RefundRequest("rf_a", 20000, null, null), CancellationToken.None);
        Assert.Equal(RefundOutcome.Succeeded, first.Outcome);
        Assert.Equal(first.ProviderRefundId, replay.ProviderRefundId);

        // A lost answer (v4): the same Idempotency-Key and body again answers the refund made the first time.
        var lost = new RefundRecord("rf_a", 20000, null, RefundRecordOutcome.Requested, DateTimeOffset.UtcNow);
        Assert.Equal(first.ProviderRefundId, (await provider.FindRefundAsync(order, lost, CancellationToken.None))?.ProviderRefundId);
        var tooMuch = await provider.RefundAsync(order, new RefundRequest("rf_b", 124990, null, null), CancellationToken.None);
        Assert.Equal(RefundOutcome.Failed, tooMuch.Outcome);
        var rest = await provider.RefundAsync(order, new RefundRequest("rf_c", 104990, "duplicate", null), CancellationToken.None);
        Assert.Equal(RefundOutcome.Succeeded, rest.Outcome);

        var lastHook = JsonNode.Parse(sandbox.Hooks.Last())!;
        Assert.Equal("1249.90", lastHook["refunded_amount"]!.GetValue<string>());

        var ex = await Assert.ThrowsAsync<TwistoException>(() => provider.CancelAsync(order, CancellationToken.None));
        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
    }

    [Fact]
    public async Task V4_capture_on_approval_charges_at_confirmation()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync(immediateCapture: false);
        using var services = TwistoTestKit.Services(null, baseUrl: sandbox.BaseUrl, tweak: s => s["Providers:Twisto:CaptureOnApproval"] = "true");
        var (provider, order, session) = await OpenAsync(services);
        using var browser = Browser();
        await DecideV4Async(browser, session.RedirectUrl, "approve");

        var state = await provider.ConfirmAsync(order, null, CancellationToken.None);

        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal("completed", (await services.Client().GetCheckoutAsync(session.ProviderReference!, CancellationToken.None)).State);
    }

    [Fact]
    public async Task V4_cancel_before_the_decision_cancels_and_closes_the_page()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, baseUrl: sandbox.BaseUrl);
        var (provider, order, session) = await OpenAsync(services);

        var state = await provider.CancelAsync(order, CancellationToken.None);

        Assert.Equal(PaymentStatus.Cancelled, state.Status);
        using var browser = Browser();
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync(session.RedirectUrl)).StatusCode);
        Assert.Equal(PaymentStatus.Cancelled, (await provider.CancelAsync(order, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task V2_approve_sends_checking_then_accepted_and_returns_the_shopper_to_return_url_unchanged()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, "v2", baseUrl: sandbox.BaseUrl);
        var (provider, order, session) = await OpenAsync(services);
        Assert.StartsWith($"{sandbox.BaseUrl}/gateway/v2/", session.RedirectUrl, StringComparison.Ordinal);

        using var browser = Browser();
        var page = await browser.GetStringAsync(session.RedirectUrl);
        Assert.Contains("1249.90", page, StringComparison.Ordinal);
        var back = await DecideV2Async(browser, session.RedirectUrl, "approve");
        Assert.Equal(TwistoTestKit.ReturnUrl.AbsoluteUri, back);

        Assert.Equal(["checking", "accepted"], sandbox.Hooks.Select(h => JsonNode.Parse(h)!["status"]!.GetValue<string>()));
        var reading = provider.ReadWebhook(TwistoTestKit.Webhook(sandbox.Hooks.Last()));
        Assert.Equal(session.ProviderReference, reading.ProviderReference);
        Assert.Equal(TwistoTestKit.OrderId, reading.OrderId);

        var evidence = provider.ReadReturn(TwistoTestKit.Return());
        Assert.Equal(PaymentStatus.Authorized, (await provider.ConfirmAsync(order, evidence, CancellationToken.None)).Status);

        var captured = await provider.CaptureAsync(order, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, captured.Status);
        Assert.Equal("activated", captured.ProviderStatus);

        var refund = await provider.RefundAsync(order, new RefundRequest("rf_v2", 24990, null, null), CancellationToken.None);
        Assert.Equal(RefundOutcome.Succeeded, refund.Outcome);

        // A lost answer (v2, no key): the order's refund_amount shows it went through; nothing is sent.
        var lost = new RefundRecord("rf_v2", 24990, null, RefundRecordOutcome.Requested, DateTimeOffset.UtcNow);
        Assert.Equal(RefundOutcome.Succeeded, (await provider.FindRefundAsync(order with { Refunds = [lost] }, lost, CancellationToken.None))?.Outcome);
        Assert.Equal(refund.ProviderRefundId, (await provider.RefundAsync(order, new RefundRequest("rf_v2", 24990, null, null), CancellationToken.None)).ProviderRefundId);
        var after = await provider.ConfirmAsync(order, null, CancellationToken.None);
        Assert.Equal("1000.00", after.ProviderData![TwistoProvider.CurrentAmountKey]);
        Assert.Equal("249.90", after.ProviderData[TwistoProvider.RefundAmountKey]);
        Assert.Equal(PaymentStatus.Succeeded, after.Status);

        var rest = await provider.RefundAsync(order, new RefundRequest("rf_v2b", 100000, null, null), CancellationToken.None);
        Assert.Equal(RefundOutcome.Succeeded, rest.Outcome);
        Assert.Equal(PaymentStatus.Refunded, (await provider.ConfirmAsync(order, null, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task V2_decline_is_failed_and_capture_on_approval_activates()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, "v2", baseUrl: sandbox.BaseUrl, tweak: s => s["Providers:Twisto:CaptureOnApproval"] = "true");
        var (provider, declined, declinedSession) = await OpenAsync(services);
        using var browser = Browser();
        await DecideV2Async(browser, declinedSession.RedirectUrl, "decline");
        var failed = await provider.ConfirmAsync(declined, null, CancellationToken.None);
        Assert.Equal(PaymentStatus.Failed, failed.Status);
        Assert.Equal("rejected", failed.ProviderStatus);

        var (_, approved, approvedSession) = await OpenAsync(services, "ord_cccccccccccccccccccccccccccccccc");
        await DecideV2Async(browser, approvedSession.RedirectUrl, "approve");
        var state = await provider.ConfirmAsync(approved, null, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal("activated", state.ProviderStatus);
    }

    [Fact]
    public async Task V2_pending_is_checking_and_a_cancel_cancels()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, "v2", baseUrl: sandbox.BaseUrl);
        var (provider, order, session) = await OpenAsync(services);
        using var browser = Browser();
        await DecideV2Async(browser, session.RedirectUrl, "pending");

        var pending = await provider.ConfirmAsync(order, new ReturnEvidence(null, ClaimedOutcome.Paid), CancellationToken.None);
        Assert.Null(pending.Status);
        Assert.Equal("checking", pending.ProviderStatus);

        Assert.Equal(PaymentStatus.Cancelled, (await provider.CancelAsync(order, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task The_control_endpoint_flips_a_state_and_sends_the_webhook()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var services = TwistoTestKit.Services(null, baseUrl: sandbox.BaseUrl);
        var (provider, order, session) = await OpenAsync(services);
        using var http = new HttpClient();

        using var flipped = await http.PostAsync($"{sandbox.BaseUrl}/_sandbox/checkouts/{session.ProviderReference}/state", Json("""{"state":"completed"}"""));

        Assert.Equal(HttpStatusCode.OK, flipped.StatusCode);
        Assert.Equal("completed", JsonNode.Parse(Assert.Single(sandbox.Hooks))!["state"]!.GetValue<string>());
        Assert.Equal(PaymentStatus.Succeeded, (await provider.ConfirmAsync(order, null, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task The_sandbox_api_refuses_what_twisto_refuses()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"{sandbox.BaseUrl}/psp/") };
        const string valid = """{"config":{"redirect_uri":"https://shop.example/r"},"shopper":{"email":"a@b.cz"},"order":{"amount":"10.00","currency":"CZK"},"merchant_reference":"m"}""";

        using (var none = await http.PostAsync("v4/checkouts", Json(valid)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Authentication credentials were not provided.", JsonNode.Parse(await none.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", "k");
        using (var wrongScheme = await http.PostAsync("v4/checkouts", Json(valid)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongScheme.StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        const string bad = """{"type":"pay-in-four","config":{"redirect_uri":"not-a-url"},"shopper":{"first_name":"0123456789012345678901234567890123456789X"},"order":{"amount":"123456789.00","currency":"czk","items":[{"name":"x","amount":"1.00","quantity":0,"type":"goods"}]}}""";
        using (var refused = await http.PostAsync("v4/checkouts", Json(bad)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var errors = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!.AsObject();
            Assert.Equal(
                ["type", "config.redirect_uri", "shopper.first_name", "shopper.email", "order.amount", "order.currency", "order.items[0].quantity", "order.items[0].type", "merchant_reference"],
                errors.Select(e => e.Key));
        }

        using (var itemsDoNotAddUp = await http.PostAsync("v4/checkouts", Json(valid.Replace("\"currency\":\"CZK\"", "\"currency\":\"CZK\",\"items\":[{\"name\":\"x\",\"amount\":\"3.00\",\"quantity\":3,\"type\":\"sku\"}]", StringComparison.Ordinal))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, itemsDoNotAddUp.StatusCode);
        }

        using (var unknown = await http.GetAsync("v4/checkouts/nope"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("""{"detail":"Not found."}""", await unknown.Content.ReadAsStringAsync());
        }

        using var created = await http.PostAsync("v4/checkouts", Json(valid));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var checkout = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal("created", checkout["state"]!.GetValue<string>());
        Assert.Equal(16, checkout["order"]!["reference"]!.GetValue<string>().Length);
        var id = checkout["id"]!.GetValue<string>();

        // The same Idempotency-Key with another body is a conflict; with the same body, the same answer.
        var charge = $$$"""{"authority":{"type":"checkout_id","value":"{{{id}}}"},"amount":"10.00","currency":"CZK","capture":true,"order":{"reference":"r"}}""";
        using var first = await Send(http, "v4/charges", charge, "k-1");
        using var replay = await Send(http, "v4/charges", charge, "k-1");
        using var conflict = await Send(http, "v4/charges", charge.Replace("\"r\"", "\"r2\"", StringComparison.Ordinal), "k-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("rejected", JsonNode.Parse(await first.Content.ReadAsStringAsync())!["state"]!.GetValue<string>());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        // v2: Token auth, every documented field checked, detail route with or without the slash.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        const string order = """{"order_external_id":"e1","return_url":"https://shop.example/r","order_data":{"eshop_external_id":"s","amount":"10.00"},"customer_data":{"email":"a@b.cz"}}""";
        using (var bearerOnV2 = await http.PostAsync("v2/order/", Json(order)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, bearerOnV2.StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", "k");
        const string badOrder = """{"service":"paypal","order_external_id":"0123456789012345678901234567890123456","payment_identifier":"","return_url":"x","order_data":{"amount":"-1"},"transaction_history":[{"date":"31.12.2022","amount":"1.000","is_canceled":"no","payment_type":"cash"}],"items":[{"name":"x","quantity":1,"amount":"10.00","vat":"215.00","type":"sku"}]}""";
        using (var refused = await http.PostAsync("v2/order/", Json(badOrder)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var errors = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!.AsObject();
            Assert.Equal(
                ["service", "order_external_id", "return_url", "order_data.eshop_external_id", "order_data.amount",
                 "transaction_history[0].date", "transaction_history[0].transaction_id", "transaction_history[0].eshop_external_id",
                 "transaction_history[0].amount", "transaction_history[0].is_canceled", "transaction_history[0].payment_type",
                 "customer_data", "items[0].vat", "items[0].type"],
                errors.Select(e => e.Key));
        }

        using var createdOrder = await http.PostAsync("v2/order/", Json(order));
        Assert.Equal(HttpStatusCode.Created, createdOrder.StatusCode);
        var orderId = JsonNode.Parse(await createdOrder.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(orderId, out _));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"v2/order/{orderId}/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"v2/order/{orderId}")).StatusCode);
        using var notAccepted = await http.PostAsync($"v2/order/{orderId}/activate", null);
        Assert.Equal(HttpStatusCode.BadRequest, notAccepted.StatusCode);
    }

    [Fact]
    public async Task The_pages_encode_what_they_render()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"{sandbox.BaseUrl}/psp/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "k");
        var create = new JsonObject
        {
            ["config"] = new JsonObject { ["redirect_uri"] = "https://shop.example/r?a=1&b=\"><script>alert(1)</script>" },
            ["shopper"] = new JsonObject { ["email"] = "a<b>@x.cz" },
            ["order"] = new JsonObject
            {
                ["amount"] = "1.00",
                ["currency"] = "CZK",
                ["items"] = new JsonArray(new JsonObject { ["name"] = "</td><script>x()</script>", ["amount"] = "1.00", ["quantity"] = 1, ["type"] = "sku" }),
            },
            ["merchant_reference"] = "<img src=x onerror=alert(1)>",
        }.ToJsonString();
        using var created = await http.PostAsync("v4/checkouts", Json(create));
        var uri = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["uri"]!.GetValue<string>();

        using var browser = Browser();
        var html = await browser.GetStringAsync(uri);

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("a<b>", html, StringComparison.Ordinal);

        // The v2 page that returns the shopper encodes the URL it points to.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", "k");
        using var order = await http.PostAsync("v2/order/", Json("""{"order_external_id":"e1","return_url":"https://shop.example/r?x=\"><script>alert(1)</script>","order_data":{"eshop_external_id":"s","amount":"1.00"},"customer_data":{}}"""));
        var redirect = JsonNode.Parse(await order.Content.ReadAsStringAsync())!["redirect_url"]!.GetValue<string>();
        using var decided = await browser.PostAsync(redirect, Form("approve"));
        var decidedHtml = await decided.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", decidedHtml, StringComparison.Ordinal);
        Assert.Equal("https://shop.example/r?x=\"><script>alert(1)</script>", ReturnLink(decidedHtml));
    }

    private static async Task<(TwistoProvider Provider, Order Order, ProviderSession Session)> OpenAsync(IServiceProvider services, string orderId = TwistoTestKit.OrderId)
    {
        var provider = services.Provider();
        var order = TwistoTestKit.Order(id: orderId);
        var session = await provider.CreateSessionAsync(TwistoTestKit.SessionRequest(order), CancellationToken.None);
        return (provider, order with { ProviderReference = session.ProviderReference, ProviderData = session.ProviderData }, session);
    }

    /// <summary>Presses a button on the v4 page; Twisto answers with a redirect to <c>redirect_uri</c>.</summary>
    private static async Task<Uri> DecideV4Async(HttpClient browser, string pageUrl, string decision)
    {
        using var result = await browser.PostAsync(pageUrl, Form(decision));
        Assert.Equal(HttpStatusCode.SeeOther, result.StatusCode);
        return result.Headers.Location!;
    }

    /// <summary>Presses a button on the v2 page; Twisto answers with a page that returns the shopper after 5 seconds.</summary>
    private static async Task<string> DecideV2Async(HttpClient browser, string pageUrl, string decision)
    {
        using var result = await browser.PostAsync(pageUrl, Form(decision));
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        var html = await result.Content.ReadAsStringAsync();
        var link = ReturnLink(html);
        var refresh = MetaRefresh().Match(html);
        Assert.True(refresh.Success, "no meta refresh");
        Assert.Equal(link, WebUtility.HtmlDecode(refresh.Groups["url"].Value));
        return link;
    }

    private static string ReturnLink(string html) => WebUtility.HtmlDecode(ReturnAnchor().Match(html).Groups["href"].Value);

    private static async Task<HttpResponseMessage> Send(HttpClient http, string path, string body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await http.SendAsync(request);
    }

    private static FormUrlEncodedContent Form(string decision) => new([new("decision", decision)]);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [GeneratedRegex("<meta http-equiv=\"refresh\" content=\"5; url=(?<url>[^\"]*)\">")]
    private static partial Regex MetaRefresh();

    [GeneratedRegex("<a id=\"return\" href=\"(?<href>[^\"]*)\"")]
    private static partial Regex ReturnAnchor();
}
