using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Providers.NeuroPay;

namespace Payments.Providers.Tests.NeuroPay;

/// <summary>The real Neuro-Pay client and provider against the sandbox on a real Kestrel port, the browser played by HttpClient.</summary>
public sealed class NeuroPaySandboxRoundTripTests
{
    [Fact]
    public async Task Pay_returns_to_the_exact_return_url_and_confirms_as_succeeded()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        var provider = rig.Provider;
        var order = NeuroPayTestKit.Order();

        var session = await provider.CreateSessionAsync(NeuroPayTestKit.SessionRequest(order), CancellationToken.None);
        Assert.StartsWith($"{rig.BaseUrl}/pay/", session.RedirectUrl, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", session.ProviderReference);

        var page = await rig.Browser.GetStringAsync(session.RedirectUrl);
        Assert.Contains("SEK 49.90", page, StringComparison.Ordinal);
        Assert.Contains("Order SO-1001", page, StringComparison.Ordinal);
        Assert.DoesNotContain("save_card", page, StringComparison.Ordinal);

        var back = await rig.DecideAsync(session.RedirectUrl, "pay");
        Assert.Equal(NeuroPayTestKit.ReturnUrl, back);

        var evidence = provider.ReadReturn(NeuroPayTestKit.Return());
        var state = await provider.ConfirmAsync(NeuroPaySandboxRig.Opened(order, session), evidence, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal("paid", state.ProviderStatus);
        Assert.Equal(session.ProviderReference, state.ProviderReference);

        // Decided once: the page is closed now.
        using var again = await rig.Browser.PostAsync(session.RedirectUrl, new FormUrlEncodedContent([new("decision", "pay")]));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("paid", await rig.Browser.GetStringAsync(session.RedirectUrl), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decline_returns_to_the_return_url_and_confirms_as_failed()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        var provider = rig.Provider;
        var order = await rig.OpenAsync();

        Assert.Equal(NeuroPayTestKit.ReturnUrl, await rig.DecideAsync(order.RedirectUrl!, "decline"));

        var state = await provider.ConfirmAsync(order, provider.ReadReturn(NeuroPayTestKit.Return()), CancellationToken.None);
        Assert.Equal(PaymentStatus.Failed, state.Status);
        Assert.Equal("failed", state.ProviderStatus);
    }

    [Fact]
    public async Task Cancel_returns_to_the_cancel_url_and_confirms_as_cancelled()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        var provider = rig.Provider;
        var order = await rig.OpenAsync();

        var back = await rig.DecideAsync(order.RedirectUrl!, "cancel");
        Assert.Equal(NeuroPayTestKit.CancelUrl, back);

        var evidence = provider.ReadReturn(NeuroPayTestKit.Return(new Dictionary<string, string> { ["cancel"] = "1" }, cancelled: true));
        Assert.Equal(ClaimedOutcome.Cancelled, evidence.Claim);
        var state = await provider.ConfirmAsync(order, evidence, CancellationToken.None);
        Assert.Equal(PaymentStatus.Cancelled, state.Status);
        Assert.Equal("canceled", state.ProviderStatus);
    }

    [Fact]
    public async Task A_return_without_a_decision_changes_nothing()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        var provider = rig.Provider;
        var order = await rig.OpenAsync();

        foreach (var cancelled in new[] { false, true })
        {
            var state = await provider.ConfirmAsync(order, provider.ReadReturn(NeuroPayTestKit.Return(cancelled: cancelled)), CancellationToken.None);
            Assert.Null(state.Status);
            Assert.Equal("created", state.ProviderStatus);
        }
    }

    [Fact]
    public async Task Reserve_capture_and_refunds_follow_neuro_pays_state_rules()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        var provider = rig.Provider;
        var order = await rig.PaidCheckoutAsync(NeuroPayTestKit.Order(options: new Dictionary<string, string> { ["capture"] = "false" }));

        Assert.Equal(PaymentStatus.Authorized, (await provider.ConfirmAsync(order, null, CancellationToken.None)).Status);

        var captured = await provider.CaptureAsync(order, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, captured.Status);

        // A second capture is refused by Neuro-Pay (only reserved), and counts as done because the checkout is paid.
        Assert.Equal(PaymentStatus.Succeeded, (await provider.CaptureAsync(order, CancellationToken.None)).Status);

        var first = new RefundRecord("rfd_1", 1000, null, RefundRecordOutcome.Requested, DateTimeOffset.UnixEpoch);
        var partial = await provider.RefundAsync(order with { Refunds = [first] }, new RefundRequest("rfd_1", 1000, RefundReasons.Fraudulent, "test"), CancellationToken.None);
        Assert.Equal(RefundOutcome.Succeeded, partial.Outcome);
        Assert.Equal("partialRefund", partial.ProviderStatus);

        // Its answer lost, say: the checkout's refunded total shows it went through, and nothing is sent.
        var found = await provider.FindRefundAsync(order with { Refunds = [first] }, first, CancellationToken.None);
        Assert.Equal(RefundOutcome.Succeeded, found?.Outcome);
        var checkout = await rig.Services.Client().RetrieveCheckoutAsync(order.ProviderReference!, CancellationToken.None);
        Assert.Equal(1000, checkout.RefundedAmount);

        var done = first with { Outcome = RefundRecordOutcome.Succeeded };
        var tooMuch = new RefundRecord("rfd_2", 3991, null, RefundRecordOutcome.Requested, DateTimeOffset.UnixEpoch);
        var refused = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () =>
            provider.RefundAsync(order with { Refunds = [done, tooMuch] }, new RefundRequest("rfd_2", 3991, null, null), CancellationToken.None));
        Assert.Equal(ProviderFailure.Rejected, refused.Failure);
        Assert.Equal("invalid_amount", refused.ProviderCode);

        var rest = new RefundRecord("rfd_3", 3990, null, RefundRecordOutcome.Requested, DateTimeOffset.UnixEpoch);
        var full = await provider.RefundAsync(order with { Refunds = [done, rest] }, new RefundRequest("rfd_3", 3990, RefundReasons.Duplicate, null), CancellationToken.None);
        Assert.Equal("refunded", full.ProviderStatus);
        Assert.Equal(PaymentStatus.Refunded, (await provider.ConfirmAsync(order, null, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Cancel_deletes_a_created_checkout_and_releases_a_reserved_one()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        var provider = rig.Provider;
        var open = await rig.OpenAsync();
        var deleted = await provider.CancelAsync(open, CancellationToken.None);
        Assert.Equal(PaymentStatus.Cancelled, deleted.Status);
        Assert.Equal("revoked", deleted.ProviderStatus);
        using (var closed = await rig.Browser.PostAsync(open.RedirectUrl, new FormUrlEncodedContent([new("decision", "pay")])))
        {
            Assert.Equal(HttpStatusCode.Conflict, closed.StatusCode);
        }

        var held = await rig.PaidCheckoutAsync(NeuroPayTestKit.Order(options: new Dictionary<string, string> { ["capture"] = "false" }));
        var released = await provider.CancelAsync(held, CancellationToken.None);
        Assert.Equal(PaymentStatus.Cancelled, released.Status);
        Assert.Equal("reserve released", released.ProviderStatus);
    }

    [Fact]
    public async Task Customers_save_cards_on_the_checkout_page_and_pay_with_them_automatically()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        var provider = rig.Provider;
        var customer = await provider.CreateCustomerAsync(new NewCustomer("Ada", "Lovelace", "ada@example.com",
            new Dictionary<string, string> { ["crmId"] = "cust_123" }), CancellationToken.None);
        Assert.Matches("^[0-9a-f]{32}$", customer.Id);
        Assert.Empty(customer.Cards);
        Assert.Equal("cust_123", customer.Metadata["crmId"]);
        Assert.Equal($"{rig.BaseUrl}/client/{customer.Id}", customer.ClientPage);

        // First payment: the shopper saves the card.
        var first = NeuroPayTestKit.Order(options: new Dictionary<string, string> { ["customerId"] = customer.Id });
        var session = await provider.CreateSessionAsync(NeuroPayTestKit.SessionRequest(first), CancellationToken.None);
        await rig.DecideAsync(session.RedirectUrl, "pay", saveCard: true);

        var saved = (await provider.GetCustomerAsync(customer.Id, CancellationToken.None))!;
        var card = Assert.Single(saved.Cards);
        Assert.Equal("4242", card.Last4);
        Assert.True(card.IsDefault);
        var clientPage = await rig.Browser.GetStringAsync(saved.ClientPage);
        Assert.Contains("4242", clientPage, StringComparison.Ordinal);

        // Later: an automatic payment with the saved card, no page.
        var next = NeuroPayTestKit.Order(id: "ord_0190a1b2c3d4e5f60718293a4b5c6d7f",
            options: new Dictionary<string, string> { ["customerId"] = customer.Id, ["cardId"] = card.Id });
        var automatic = await provider.CreateSessionAsync(NeuroPayTestKit.SessionRequest(next), CancellationToken.None);
        Assert.Equal(NeuroPayTestKit.ReturnUrl.AbsoluteUri, automatic.RedirectUrl);
        Assert.Equal("true", automatic.ProviderData["automatic_payment"]);
        Assert.Equal(PaymentStatus.Succeeded, (await provider.ConfirmAsync(NeuroPaySandboxRig.Opened(next, automatic), null, CancellationToken.None)).Status);

        Assert.True(await provider.DeleteCustomerAsync(customer.Id, CancellationToken.None));
        Assert.Null(await provider.GetCustomerAsync(customer.Id, CancellationToken.None));
        Assert.False(await provider.DeleteCustomerAsync(customer.Id, CancellationToken.None));
    }

    [Fact]
    public async Task A_declining_saved_card_fails_the_automatic_payment_and_unknown_cards_are_refused()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        var provider = rig.Provider;
        var customer = await provider.CreateCustomerAsync(new NewCustomer("Ada", "Lovelace", "ada@example.com", new Dictionary<string, string>()), CancellationToken.None);
        using var http = new HttpClient();
        using (var added = await http.PostAsync($"{rig.BaseUrl}/_sandbox/customers/{customer.Id}/cards", Json("""{"last4":"0002","expiry":"01/29"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }

        var cardId = Assert.Single((await provider.GetCustomerAsync(customer.Id, CancellationToken.None))!.Cards).Id;
        var order = NeuroPayTestKit.Order(options: new Dictionary<string, string> { ["customerId"] = customer.Id, ["cardId"] = cardId });
        var session = await provider.CreateSessionAsync(NeuroPayTestKit.SessionRequest(order), CancellationToken.None);
        Assert.Equal(NeuroPayTestKit.ReturnUrl.AbsoluteUri, session.RedirectUrl);
        Assert.Equal(PaymentStatus.Failed, (await provider.ConfirmAsync(NeuroPaySandboxRig.Opened(order, session), null, CancellationToken.None)).Status);

        var unknown = NeuroPayTestKit.Order(options: new Dictionary<string, string> { ["customerId"] = customer.Id, ["cardId"] = "nosuchcard" });
        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => provider.CreateSessionAsync(NeuroPayTestKit.SessionRequest(unknown), CancellationToken.None));
        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal("card_not_found", ex.ProviderCode);
    }

    [Fact]
    public async Task Update_sets_and_deletes_metadata_keys()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        var order = await rig.OpenAsync();

        var updated = await rig.Services.Client().UpdateMetadataAsync(new NeuroPayUpdateRequest
        {
            CheckoutId = order.ProviderReference!,
            MetaData = new Dictionary<string, string> { ["note"] = "gift", ["merchant_reference"] = "" },
        }, CancellationToken.None);

        Assert.Equal("gift", updated.MetaData["note"]);
        Assert.False(updated.MetaData.ContainsKey("merchant_reference"));
        Assert.Equal(NeuroPayTestKit.OrderId, updated.MetaData["payments_order_id"]);
    }

    [Fact]
    public async Task The_sandbox_api_refuses_what_neuro_pay_would()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"{rig.BaseUrl}/checkout/") };
        var valid = $$"""{"amount":3000,"currency":"SEK","message":"Order 1","returnUrl":"https://shop.example/r","returnUrlCancel":"https://shop.example/c"}""";

        await ExpectAsync(http, "create", Json(valid), HttpStatusCode.Unauthorized, "unauthorized");

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "key-a");
        await ExpectAsync(http, "create", new FormUrlEncodedContent([new("amount", "3000")]), HttpStatusCode.UnsupportedMediaType);

        foreach (var (bad, code) in new[]
        {
            ("""{"currency":"SEK","message":"m","returnUrl":"https://s.example/r","returnUrlCancel":"https://s.example/c"}""", "invalid_amount"),
            ("""{"amount":30.5,"currency":"SEK","message":"m","returnUrl":"https://s.example/r","returnUrlCancel":"https://s.example/c"}""", "invalid_amount"),
            ("""{"amount":3000,"currency":"sek","message":"m","returnUrl":"https://s.example/r","returnUrlCancel":"https://s.example/c"}""", "invalid_currency"),
            ("""{"amount":3000,"currency":"SEK","returnUrl":"https://s.example/r","returnUrlCancel":"https://s.example/c"}""", "invalid_request"),
            ("""{"amount":3000,"currency":"SEK","message":"m","returnUrl":"/r","returnUrlCancel":"https://s.example/c"}""", "invalid_request"),
            ("""{"amount":3000,"currency":"SEK","message":"m","returnUrl":"https://s.example/r","returnUrlCancel":"https://s.example/c","card_id":"x"}""", "invalid_request"),
            ("""{"amount":3000,"currency":"SEK","message":"m","returnUrl":"https://s.example/r","returnUrlCancel":"https://s.example/c","template":"popup"}""", "invalid_request"),
            ("""{"amount":3000,"currency":"SEK","message":"m","returnUrl":"https://s.example/r","returnUrlCancel":"https://s.example/c","customer_id":"nobody"}""", "customer_not_found"),
            ("not json", "invalid_request"),
        })
        {
            await ExpectAsync(http, "create", Json(bad), HttpStatusCode.BadRequest, code);
        }

        using var created = await http.PostAsync("create", Json(valid));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var checkout = await ReadAsync(created);
        var id = checkout["checkout_id"]!.GetValue<string>();
        Assert.Equal("created", checkout["status"]!.GetValue<string>());
        Assert.Equal(id, checkout["identifier"]!.GetValue<string>());
        Assert.True(checkout["capture"]!.GetValue<bool>());

        await ExpectAsync(http, "capture", Json($$"""{"checkout_id":"{{id}}"}"""), HttpStatusCode.BadRequest, "invalid_status");
        await ExpectAsync(http, "refund", Json($$"""{"checkout_id":"{{id}}"}"""), HttpStatusCode.BadRequest);
        await ExpectAsync(http, "retrieve", Json("{}"), HttpStatusCode.BadRequest);
        await ExpectAsync(http, "retrieve", Json("""{"checkout_id":"0000"}"""), HttpStatusCode.NotFound);

        // Another key (another company) does not see the checkout.
        using var other = new HttpRequestMessage(HttpMethod.Post, "retrieve") { Content = Json($$"""{"checkout_id":"{{id}}"}""") };
        other.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "key-b");
        using (var hidden = await http.SendAsync(other))
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        }

        await ExpectAsync(http, "create-customer", Json("""{"first_name":"Ada","email":"ada@example.com"}"""), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Refund_reasons_take_neuro_pays_spelling_only()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        var order = await rig.PaidCheckoutAsync();
        var client = rig.Services.Client();

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => client.RefundAsync(
            new NeuroPayRefundRequest { CheckoutId = order.ProviderReference!, Amount = 100, Reason = "fraudulent" }, CancellationToken.None));
        Assert.Equal("invalid_reason", ex.ProviderCode);

        var ok = await client.RefundAsync(new NeuroPayRefundRequest { CheckoutId = order.ProviderReference!, Amount = 100, Reason = "fraudolent" }, CancellationToken.None);
        Assert.Equal("partialRefund", ok.Status);
        Assert.Equal(100, ok.RefundedAmount);
    }

    [Fact]
    public async Task The_pages_encode_what_they_render_and_the_sandbox_control_sets_any_status()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        var provider = rig.Provider;
        var order = await rig.OpenAsync(NeuroPayTestKit.Order(options: new Dictionary<string, string> { ["message"] = "<script>alert(1)</script>" }));

        var page = await rig.Browser.GetStringAsync(order.RedirectUrl);
        Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", page, StringComparison.Ordinal);

        using (var set = await rig.Browser.PostAsync($"{rig.BaseUrl}/_sandbox/checkouts/{order.ProviderReference}/status", Json("""{"status":"<b>odd</b>"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var closed = await rig.Browser.GetStringAsync(order.RedirectUrl);
        Assert.DoesNotContain("<b>odd</b>", closed, StringComparison.Ordinal);
        var state = await provider.ConfirmAsync(order, null, CancellationToken.None);
        Assert.Null(state.Status);
        Assert.Equal("<b>odd</b>", state.ProviderStatus);

        using var missing = await rig.Browser.GetAsync($"{rig.BaseUrl}/pay/nosuchcheckout");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Concurrent_decisions_on_one_checkout_decide_it_once()
    {
        await using var rig = await NeuroPaySandboxRig.StartAsync();
        var order = await rig.OpenAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            rig.Browser.PostAsync(order.RedirectUrl, new FormUrlEncodedContent([new("decision", i % 2 == 0 ? "pay" : "decline")]))));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.SeeOther);
        Assert.Equal(19, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Posts <paramref name="body"/> to <paramref name="path"/>: the answer has <paramref name="status"/> and, when given, Neuro-Pay's <paramref name="error"/> code.</summary>
    private static async Task ExpectAsync(HttpClient http, string path, HttpContent body, HttpStatusCode status, string? error = null)
    {
        using var answer = await http.PostAsync(path, body);
        Assert.Equal(status, answer.StatusCode);
        if (error is not null)
        {
            Assert.Equal(error, (await ReadAsync(answer))["error"]!.GetValue<string>());
        }
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }
}
