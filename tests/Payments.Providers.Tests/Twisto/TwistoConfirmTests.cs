using Payments.Providers.Twisto;

namespace Payments.Providers.Tests.Twisto;

/// <summary>Confirmation and follow-up operations through the fake handler: what is read, what it means.</summary>
public sealed class TwistoConfirmTests
{
    private static readonly ReturnEvidence PaidClaim = new(null, ClaimedOutcome.Paid);

    [Theory]
    [MemberData(nameof(TwistoTestKit.CheckoutStates), MemberType = typeof(TwistoTestKit))]
    [InlineData("on_hold", null)]
    public async Task V4_confirm_reads_the_stored_checkout_and_maps_its_state(string state, PaymentStatus? expected)
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, TwistoTestKit.CheckoutJson(state));
        using var services = TwistoTestKit.Services(handler);

        var result = await services.Provider().ConfirmAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.CheckoutId, version: "v4"), PaidClaim, CancellationToken.None);

        Assert.Equal($"/psp/v4/checkouts/{TwistoTestKit.CheckoutId}", handler.OnlyRequest().Uri.AbsolutePath);
        Assert.Equal(expected, result.Status);
        Assert.Equal(state, result.ProviderStatus);
        Assert.Equal(TwistoTestKit.CheckoutId, result.ProviderReference);
        Assert.Equal("v4", result.ProviderData![TwistoProvider.ApiVersionKey]);
        Assert.Equal("standard", result.ProviderData[TwistoProvider.ProductKey]);
        Assert.Equal(expected is PaymentStatus.Failed or PaymentStatus.Cancelled, result.Reason is not null);
    }

    [Theory]
    [MemberData(nameof(TwistoTestKit.OrderStatuses), MemberType = typeof(TwistoTestKit))]
    public async Task V2_confirm_reads_the_stored_order_and_maps_its_status(string status, PaymentStatus? expected)
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, TwistoTestKit.OrderJson(status));
        using var services = TwistoTestKit.Services(handler, "v2");

        var result = await services.Provider().ConfirmAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.V2OrderId, version: "v2"), null, CancellationToken.None);

        Assert.Equal($"/psp/v2/order/{TwistoTestKit.V2OrderId}/", handler.OnlyRequest().Uri.AbsolutePath);
        Assert.Equal(expected, result.Status);
        Assert.Equal(status, result.ProviderStatus);
        Assert.Equal("1249.90", result.ProviderData![TwistoProvider.CurrentAmountKey]);
    }

    [Fact]
    public async Task An_order_keeps_the_version_it_was_created_with()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, TwistoTestKit.OrderJson("activated"));
        using var services = TwistoTestKit.Services(handler, "v4");

        var result = await services.Provider().ConfirmAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.V2OrderId, version: "v2"), null, CancellationToken.None);

        var request = handler.OnlyRequest();
        Assert.Equal($"/psp/v2/order/{TwistoTestKit.V2OrderId}/", request.Uri.AbsolutePath);
        Assert.StartsWith("Token ", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal(PaymentStatus.Succeeded, result.Status);
    }

    [Fact]
    public async Task The_stored_reference_wins_over_the_one_a_return_names()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, TwistoTestKit.CheckoutJson("created"));
        using var services = TwistoTestKit.Services(handler);

        var result = await services.Provider().ConfirmAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.CheckoutId),
            new ReturnEvidence("someone-elses-checkout", ClaimedOutcome.Paid), CancellationToken.None);

        Assert.EndsWith(TwistoTestKit.CheckoutId, handler.OnlyRequest().Uri.AbsolutePath, StringComparison.Ordinal);
        Assert.Null(result.Status);
    }

    [Theory]
    [InlineData("ord_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1249.90", "CZK")]
    [InlineData(null, "1249.90", "CZK")]
    [InlineData(TwistoTestKit.OrderId, "1.00", "CZK")]
    [InlineData(TwistoTestKit.OrderId, "1249.90", "PLN")]
    public async Task A_checkout_that_is_not_ours_changes_nothing(string? reference, string amount, string currency)
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, TwistoTestKit.CheckoutJson("completed", reference, amount, currency));
        using var services = TwistoTestKit.Services(handler);

        var result = await services.Provider().ConfirmAsync(TwistoTestKit.Order(), new ReturnEvidence("other", ClaimedOutcome.Paid), CancellationToken.None);

        Assert.Null(result.Status);
        Assert.Null(result.ProviderReference);
        Assert.NotNull(result.Reason);
    }

    [Fact]
    public async Task A_v2_order_that_is_not_ours_changes_nothing()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, TwistoTestKit.OrderJson("activated", externalId: "ord_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
        using var services = TwistoTestKit.Services(handler, "v2");

        var result = await services.Provider().ConfirmAsync(TwistoTestKit.Order(version: "v2"), new ReturnEvidence("x", ClaimedOutcome.Paid), CancellationToken.None);

        Assert.Null(result.Status);
    }

    [Fact]
    public async Task An_unknown_claimed_reference_changes_nothing_but_an_unknown_stored_one_throws()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.NotFound, """{"detail":"Not found."}""").Respond(HttpStatusCode.NotFound, """{"detail":"Not found."}""");
        using var services = TwistoTestKit.Services(handler);

        var claimed = await services.Provider().ConfirmAsync(TwistoTestKit.Order(), new ReturnEvidence("nope", ClaimedOutcome.Paid), CancellationToken.None);
        Assert.Null(claimed.Status);

        var ex = await ProviderAssert.ThrowsAsync(TwistoProvider.ProviderName, () =>
            services.Provider().ConfirmAsync(TwistoTestKit.Order(providerReference: "gone"), null, CancellationToken.None));
        Assert.Equal(ProviderFailure.NotFound, ex.Failure);
    }

    [Fact]
    public async Task Without_any_reference_nothing_is_asked()
    {
        var handler = new CapturingHandler();
        using var services = TwistoTestKit.Services(handler);

        var result = await services.Provider().ConfirmAsync(TwistoTestKit.Order(), PaidClaim, CancellationToken.None);

        Assert.Equal(0, handler.Count);
        Assert.Null(result.Status);
    }

    [Fact]
    public async Task Capture_on_approval_charges_an_approved_v4_checkout_in_full()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, TwistoTestKit.CheckoutJson("approved"))
            .Respond(HttpStatusCode.Created, """{"id":"ch_1","amount":"1249.90","currency":"CZK","captured_amount":"1249.90","state":"captured","product":"TwistoPay"}""");
        using var services = TwistoTestKit.Services(handler, tweak: s => s["Providers:Twisto:CaptureOnApproval"] = "true");

        var result = await services.Provider().ConfirmAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.CheckoutId), null, CancellationToken.None);

        Assert.Equal(PaymentStatus.Succeeded, result.Status);
        Assert.Equal("captured", result.ProviderStatus);
        Assert.Equal("ch_1", result.ProviderData![TwistoProvider.ChargeIdKey]);
        var charge = handler.Requests[1];
        Assert.Equal("/psp/v4/charges", charge.Uri.AbsolutePath);
        Assert.Equal($"charge-{TwistoTestKit.OrderId}", charge.Header("Idempotency-Key"));
        var body = charge.Json();
        Assert.Equal("checkout_id", body.GetProperty("authority").GetProperty("type").GetString());
        Assert.Equal(TwistoTestKit.CheckoutId, body.GetProperty("authority").GetProperty("value").GetString());
        Assert.Equal("1249.90", body.GetProperty("amount").GetString());
        Assert.Equal("CZK", body.GetProperty("currency").GetString());
        Assert.True(body.GetProperty("capture").GetBoolean());
        Assert.Equal(TwistoTestKit.OrderId, body.GetProperty("order").GetProperty("reference").GetString());
    }

    [Fact]
    public async Task Without_capture_on_approval_an_approved_checkout_is_authorized_and_nothing_is_charged()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, TwistoTestKit.CheckoutJson("approved"));
        using var services = TwistoTestKit.Services(handler);

        var result = await services.Provider().ConfirmAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.CheckoutId), null, CancellationToken.None);

        Assert.Equal(PaymentStatus.Authorized, result.Status);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task A_rejected_charge_changes_nothing_and_says_why()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, TwistoTestKit.CheckoutJson("approved"))
            .Respond(HttpStatusCode.Created, """{"id":"ch_2","state":"rejected"}""");
        using var services = TwistoTestKit.Services(handler);

        var result = await services.Provider().CaptureAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.CheckoutId), CancellationToken.None);

        Assert.Null(result.Status);
        Assert.Equal("rejected", result.ProviderStatus);
        Assert.Contains("rejected", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_of_a_completed_checkout_charges_nothing()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, TwistoTestKit.CheckoutJson("completed"));
        using var services = TwistoTestKit.Services(handler);

        var result = await services.Provider().CaptureAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.CheckoutId), CancellationToken.None);

        Assert.Equal(PaymentStatus.Succeeded, result.Status);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task V2_capture_activates_an_accepted_order_and_reads_it_again()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, TwistoTestKit.OrderJson("accepted"))
            .Respond(HttpStatusCode.OK, TwistoTestKit.OrderJson("activated"))
            .Respond(HttpStatusCode.OK, TwistoTestKit.OrderJson("activated"));
        using var services = TwistoTestKit.Services(handler, "v2");

        var result = await services.Provider().CaptureAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.V2OrderId, version: "v2"), CancellationToken.None);

        Assert.Equal(PaymentStatus.Succeeded, result.Status);
        Assert.Equal(["GET", "POST", "GET"], handler.Requests.Select(r => r.Method.Method));
        Assert.Equal($"/psp/v2/order/{TwistoTestKit.V2OrderId}/activate/", handler.Requests[1].Uri.AbsolutePath);
    }

    [Fact]
    public async Task A_v2_activation_refused_because_another_confirmation_won_reads_the_order()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, TwistoTestKit.OrderJson("accepted"))
            .Respond(HttpStatusCode.BadRequest, """{"errors":{"status":["Only an accepted order can be activated."]}}""")
            .Respond(HttpStatusCode.OK, TwistoTestKit.OrderJson("activated"));
        using var services = TwistoTestKit.Services(handler, "v2", s => s["Providers:Twisto:CaptureOnApproval"] = "true");

        var result = await services.Provider().ConfirmAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.V2OrderId, version: "v2"), null, CancellationToken.None);

        Assert.Equal(PaymentStatus.Succeeded, result.Status);
    }

    [Fact]
    public async Task V4_refund_posts_the_documented_body_with_the_refund_id_as_key()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.Created, $$"""{"id":"rf_1","amount":"100.00","checkout_id":"{{TwistoTestKit.CheckoutId}}","reference":"ref_1"}""");
        using var services = TwistoTestKit.Services(handler);

        var result = await services.Provider().RefundAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.CheckoutId),
            new RefundRequest("ref_1", 10000, "requested_by_customer", "broken mug"), CancellationToken.None);

        Assert.Equal(new ProviderRefundResult("rf_1", RefundOutcome.Succeeded, null, null), result);
        var request = handler.OnlyRequest();
        Assert.Equal("/psp/v4/refunds", request.Uri.AbsolutePath);
        Assert.Equal("ref_1", request.Header("Idempotency-Key"));
        var body = request.Json();
        Assert.Equal(TwistoTestKit.CheckoutId, body.GetProperty("checkout_id").GetString());
        Assert.Equal("100.00", body.GetProperty("amount").GetString());
        Assert.Equal("ref_1", body.GetProperty("reference").GetString());
        Assert.Equal("requested_by_customer: broken mug", body.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_refused_refund_is_a_failed_refund_not_an_exception()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.BadRequest, """{"errors":{"amount":["The refund is more than what is left to refund."]}}""");
        using var services = TwistoTestKit.Services(handler);

        var result = await services.Provider().RefundAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.CheckoutId),
            new RefundRequest("ref_2", 999999, null, null), CancellationToken.None);

        Assert.Equal(RefundOutcome.Failed, result.Outcome);
        Assert.Equal("amount", result.ProviderStatus);
    }

    [Fact]
    public async Task V2_refund_posts_amount_and_external_id_once()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.Created, """{"id":"r2","amount":"50.00","external_id":"ref_3"}""");
        using var services = TwistoTestKit.Services(handler, "v2");

        var result = await services.Provider().RefundAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.V2OrderId, version: "v2"),
            new RefundRequest("ref_3", 5000, null, null), CancellationToken.None);

        Assert.Equal("r2", result.ProviderRefundId);
        var request = handler.OnlyRequest();
        Assert.Equal($"/psp/v2/order/{TwistoTestKit.V2OrderId}/refund/", request.Uri.AbsolutePath);
        Assert.Equal("50.00", request.Json().GetProperty("amount").GetString());
        Assert.Equal("ref_3", request.Json().GetProperty("external_id").GetString());
    }

    [Fact]
    public async Task V4_cancel_posts_with_a_key_and_maps_the_answer()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, TwistoTestKit.CheckoutJson("cancelled"));
        using var services = TwistoTestKit.Services(handler);

        var result = await services.Provider().CancelAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.CheckoutId), CancellationToken.None);

        Assert.Equal(PaymentStatus.Cancelled, result.Status);
        var request = handler.OnlyRequest();
        Assert.Equal($"/psp/v4/checkouts/{TwistoTestKit.CheckoutId}/cancel", request.Uri.AbsolutePath);
        Assert.Equal($"cancel-{TwistoTestKit.OrderId}", request.Header("Idempotency-Key"));
    }

    [Fact]
    public async Task V2_cancel_posts_then_reads_the_order()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK).Respond(HttpStatusCode.OK, TwistoTestKit.OrderJson("canceled"));
        using var services = TwistoTestKit.Services(handler, "v2");

        var result = await services.Provider().CancelAsync(TwistoTestKit.Order(providerReference: TwistoTestKit.V2OrderId, version: "v2"), CancellationToken.None);

        Assert.Equal(PaymentStatus.Cancelled, result.Status);
        Assert.Equal($"/psp/v2/order/{TwistoTestKit.V2OrderId}/cancel/", handler.Requests[0].Uri.AbsolutePath);
    }

    [Fact]
    public void Capabilities_are_what_twistos_api_offers()
    {
        using var services = TwistoTestKit.Services(null);
        var caps = services.Provider().Capabilities;

        Assert.Equal(ProviderCapabilities.Create | ProviderCapabilities.Return | ProviderCapabilities.Webhook
            | ProviderCapabilities.Capture | ProviderCapabilities.Refund | ProviderCapabilities.Cancel, caps);
    }
}
