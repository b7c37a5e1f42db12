using System.Net;
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
        var (provider, _, session) = await PaidCheckoutAsync(services, orderId: "ord_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

        var state = await provider.ConfirmAsync(TwistoTestKit.Order(), new ReturnEvidence(session.ProviderReference, ClaimedOutcome.Paid), CancellationToken.None);

        Assert.Null(state.Status);
        Assert.Null(state.ProviderReference);
    }

    [Fact]
    public async Task V4_without_immediate_capture_is_authorized_then_captured_refunded_and_not_cancellable()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync(immediateCapture: false);
        using var services = TwistoTestKit.Services(null, baseUrl: sandbox.BaseUrl);
        var (provider, order, _) = await PaidCheckoutAsync(services);

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

        var ex = await ProviderAssert.ThrowsAsync(TwistoProvider.ProviderName, () => provider.CancelAsync(order, CancellationToken.None));
        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
    }

    [Fact]
    public async Task V4_capture_on_approval_charges_at_confirmation()
    {
        await using var sandbox = await TwistoSandboxServer.StartAsync(immediateCapture: false);
        using var services = TwistoTestKit.Services(null, baseUrl: sandbox.BaseUrl, tweak: s => s["Providers:Twisto:CaptureOnApproval"] = "true");
        var (provider, order, session) = await PaidCheckoutAsync(services);

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

    private static async Task<(TwistoProvider Provider, Order Order, ProviderSession Session)> OpenAsync(IServiceProvider services, string orderId = TwistoTestKit.OrderId)
    {
        var provider = services.Provider();
        var order = TwistoTestKit.Order(id: orderId);
        var session = await provider.CreateSessionAsync(TwistoTestKit.SessionRequest(order), CancellationToken.None);
        return (provider, order with { ProviderReference = session.ProviderReference, ProviderData = session.ProviderData }, session);
    }

    /// <summary>Opens a v4 checkout for the kit's order (or <paramref name="orderId"/>) and approves it on the page.</summary>
    private static async Task<(TwistoProvider Provider, Order Order, ProviderSession Session)> PaidCheckoutAsync(IServiceProvider services,
        string orderId = TwistoTestKit.OrderId)
    {
        var opened = await OpenAsync(services, orderId);
        using var browser = Browser();
        await DecideV4Async(browser, opened.Session.RedirectUrl, "approve");
        return opened;
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
