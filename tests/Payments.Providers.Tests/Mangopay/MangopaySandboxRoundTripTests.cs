using System.Net.Http.Headers;
using System.Text;
using Payments.Providers.Mangopay;

namespace Payments.Providers.Tests.Mangopay;

/// <summary>
/// The real Mangopay client and provider against the sandbox on a real Kestrel port, as a browser would go through it:
/// the hosted page, hooks and refunds here; the sandbox's tokens, keys and refusals in <c>.Api</c>.
/// </summary>
public sealed partial class MangopaySandboxRoundTripTests
{
    private static Task<ProviderSession> CreateAsync(IServiceProvider services, Order order) =>
        services.Provider().CreateSessionAsync(MangopayTestKit.SessionRequest(order), CancellationToken.None);

    [Fact]
    public async Task Pay_comes_back_by_a_plain_redirect_with_the_transaction_id_and_confirms_as_succeeded()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var provider = services.Provider();
        var order = MangopayTestKit.Order();

        var session = await CreateAsync(services, order);
        Assert.StartsWith($"{sandbox.BaseUrl}/twint/", session.RedirectUrl, StringComparison.Ordinal);
        Assert.StartsWith("wt_", session.ProviderReference, StringComparison.Ordinal);

        var page = await sandbox.Browser.GetStringAsync(session.RedirectUrl);
        Assert.Contains("CHF 49.90", page, StringComparison.Ordinal);
        Assert.Contains("value=\"pay\"", page, StringComparison.Ordinal);
        Assert.Contains("value=\"decline\"", page, StringComparison.Ordinal);
        Assert.Contains("value=\"pending\"", page, StringComparison.Ordinal);
        Assert.Contains($"{MangopayTestKit.OrderId} SO-1001", page, StringComparison.Ordinal);

        var back = await sandbox.DecideAsync(session.RedirectUrl, "pay");
        Assert.Equal($"{MangopayTestKit.ReturnUrl.AbsoluteUri}?transactionId={session.ProviderReference}", back.AbsoluteUri);

        var evidence = provider.ReadReturn(MangopayTestKit.Return(MangopaySandboxServer.Query(back)));
        Assert.Equal(session.ProviderReference, evidence.ProviderReference);

        var state = await provider.ConfirmAsync(order with { ProviderReference = session.ProviderReference }, evidence, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal("000000", state.ProviderData!["result_code"]);

        // The page is decided once; the hook went to the configured URL.
        using var again = await sandbox.Browser.PostAsync(session.RedirectUrl, MangopaySandboxServer.Form("pay"));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        var hook = await sandbox.NextHookAsync();
        Assert.Equal("PAYIN_NORMAL_SUCCEEDED", hook["EventType"]);
        Assert.Equal(session.ProviderReference, hook["RessourceId"]);
        Assert.Matches("^[0-9]+$", hook["Date"]);
        Assert.Equal(WebhookVerdict.Accepted, provider.ReadWebhook(MangopayTestKit.Hook(hook)).Verdict);
    }

    [Fact]
    public async Task Decline_comes_back_the_same_way_and_fails_with_mangopays_result()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var order = MangopayTestKit.Order();
        var (session, back) = await sandbox.CheckoutAsync(services, order, "decline");
        var evidence = services.Provider().ReadReturn(MangopayTestKit.Return(MangopaySandboxServer.Query(back)));

        var state = await services.Provider().ConfirmAsync(order with { ProviderReference = session.ProviderReference }, evidence, CancellationToken.None);
        Assert.Equal(PaymentStatus.Failed, state.Status);
        Assert.Equal("101002", state.ProviderData!["result_code"]);
        Assert.Equal("The transaction has been cancelled by the user", state.ProviderData["result_message"]);
        Assert.Equal("PAYIN_NORMAL_FAILED", (await sandbox.NextHookAsync())["EventType"]);
    }

    [Fact]
    public async Task Leave_pending_returns_without_an_outcome_and_the_page_stays_open()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var order = MangopayTestKit.Order();
        var (session, back) = await sandbox.CheckoutAsync(services, order, "pending");
        var state = await services.Provider().ConfirmAsync(order with { ProviderReference = session.ProviderReference },
            services.Provider().ReadReturn(MangopayTestKit.Return(MangopaySandboxServer.Query(back))), CancellationToken.None);

        Assert.Null(state.Status);
        Assert.Equal("CREATED", state.ProviderStatus);
        Assert.Equal(HttpStatusCode.OK, (await sandbox.Browser.GetAsync(session.RedirectUrl)).StatusCode);
    }

    [Fact]
    public async Task Another_orders_paid_payin_does_not_settle_ours()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var theirs = MangopayTestKit.Order(id: "ord_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        var (_, theirReturn) = await sandbox.CheckoutAsync(services, theirs, "pay");

        // Ours has no pay-in linked yet (or one still CREATED): a return naming theirs changes nothing either way.
        var ours = MangopayTestKit.Order();
        var forged = services.Provider().ReadReturn(MangopayTestKit.Return(MangopaySandboxServer.Query(theirReturn)));
        var unlinked = await services.Provider().ConfirmAsync(ours, forged, CancellationToken.None);
        Assert.Null(unlinked.Status);
        Assert.Null(unlinked.ProviderReference);

        var ourSession = await CreateAsync(services, ours);
        var linked = await services.Provider().ConfirmAsync(ours with { ProviderReference = ourSession.ProviderReference }, forged, CancellationToken.None);
        Assert.Null(linked.Status);
        Assert.Equal("CREATED", linked.ProviderStatus);
    }

    [Fact]
    public async Task The_control_endpoint_settles_a_payin_and_delivers_its_hook()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var order = MangopayTestKit.Order();
        var session = await CreateAsync(services, order);

        using var http = new HttpClient();
        using var answer = await http.PostAsync($"{sandbox.BaseUrl}/_sandbox/payins/{session.ProviderReference}/status",
            new StringContent("""{"Status":"SUCCEEDED"}""", Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("SUCCEEDED", body["PayIn"]!["Status"]!.GetValue<string>());
        Assert.Equal(200, body["Hook"]!["StatusCode"]!.GetValue<int>());
        Assert.StartsWith($"{sandbox.Address}hooks/mangopay?EventType=PAYIN_NORMAL_SUCCEEDED&RessourceId={session.ProviderReference}&Date=",
            body["Hook"]!["Url"]!.GetValue<string>(), StringComparison.Ordinal);
        var hook = await sandbox.NextHookAsync();
        var reading = services.Provider().ReadWebhook(MangopayTestKit.Hook(hook));
        var state = await services.Provider().ConfirmAsync(order with { ProviderReference = reading.ProviderReference }, reading.Evidence, CancellationToken.None);
        Assert.Equal(PaymentStatus.Succeeded, state.Status);
    }

    [Fact]
    public async Task Partial_refunds_add_up_and_an_over_refund_is_refused()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var order = MangopayTestKit.Order();
        var (session, _) = await sandbox.CheckoutAsync(services, order, "pay");
        var paid = order with { ProviderReference = session.ProviderReference, ProviderData = session.ProviderData };

        var first = await services.Provider().RefundAsync(paid, new RefundRequest("rf_1", 1000, null, null), CancellationToken.None);
        var repeat = await services.Provider().RefundAsync(paid, new RefundRequest("rf_1", 1000, null, null), CancellationToken.None);
        var second = await services.Provider().RefundAsync(paid, new RefundRequest("rf_2", 3990, null, null), CancellationToken.None);
        var over = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () =>
            services.Provider().RefundAsync(paid, new RefundRequest("rf_3", 1, null, null), CancellationToken.None));

        Assert.Equal(RefundOutcome.Succeeded, first.Outcome);
        Assert.Equal(first.ProviderRefundId, repeat.ProviderRefundId);
        Assert.Equal(RefundOutcome.Succeeded, second.Outcome);
        Assert.NotEqual(first.ProviderRefundId, second.ProviderRefundId);
        Assert.Equal(ProviderFailure.Rejected, over.Failure);
        Assert.Equal("param_error", over.ProviderCode);
        var refund = await services.GetRequiredService<MangopayClient>().GetRefundAsync(second.ProviderRefundId!, CancellationToken.None);
        Assert.Equal(3990, refund.DebitedFunds!.Amount);
        Assert.Equal(session.ProviderReference, refund.InitialTransactionId);

        // A lost answer is read back from Mangopay's stored answer to the refund's key, never by refunding again; a
        // refund whose request never arrived has no stored answer.
        var lost = new RefundRecord("rf_2", 3990, null, RefundRecordOutcome.Requested, DateTimeOffset.UtcNow);
        var found = await services.Provider().FindRefundAsync(paid, lost, CancellationToken.None);
        Assert.Equal((RefundOutcome.Succeeded, second.ProviderRefundId), (found?.Outcome, found?.ProviderRefundId));
        var never = await services.Provider().FindRefundAsync(paid, lost with { RefundId = "rf_never" }, CancellationToken.None);
        Assert.Equal(RefundOutcome.Failed, never?.Outcome);
    }

    [Fact]
    public async Task A_refund_of_an_unpaid_payin_is_refused()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var order = MangopayTestKit.Order();
        var session = await CreateAsync(services, order);

        var ex = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () => services.Provider().RefundAsync(order with { ProviderReference = session.ProviderReference },
            new RefundRequest("rf_1", 100, null, null), CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
    }

    [Fact]
    public async Task The_hosted_page_encodes_what_it_shows()
    {
        await using var sandbox = await MangopaySandboxServer.StartAsync();
        using var services = sandbox.ClientServices();
        var session = await CreateAsync(services, MangopayTestKit.Order(merchantReference: "<script>alert(1)</script>"));

        var page = await sandbox.Browser.GetStringAsync(session.RedirectUrl);

        Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", page, StringComparison.Ordinal);
    }

    private static MangopayOptions Options() => new() { AuthorId = "usr_1", CreditedWalletId = "wlt_1" };

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
