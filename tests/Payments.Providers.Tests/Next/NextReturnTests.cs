using Payments.Providers.Next;

namespace Payments.Providers.Tests.Next;

public sealed class NextReturnTests
{
    [Fact]
    public void A_real_order_json_names_the_order_and_claims_paid()
    {
        using var services = NextTestKit.Services(new CapturingHandler());

        var evidence = services.Provider().ReadReturn(NextTestKit.Return(NextTestKit.Fixture("order-paid.json")));

        Assert.Equal(new ReturnEvidence("108231", ClaimedOutcome.Paid), evidence);
    }

    [Fact]
    public void An_empty_dictionary_claims_failed_without_an_order()
    {
        using var services = NextTestKit.Services(new CapturingHandler());

        Assert.Equal(new ReturnEvidence(null, ClaimedOutcome.Failed), services.Provider().ReadReturn(NextTestKit.Return("{}")));
        Assert.Equal(new ReturnEvidence(null, ClaimedOutcome.Failed), services.Provider().ReadReturn(NextTestKit.Return(" { } ")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"number\":")]
    [InlineData("[]")]
    [InlineData("\"paid\"")]
    [InlineData("{\"payment_status\":\"paid\"}")]
    [InlineData("{\"number\":\"../admin\",\"payment_status\":\"paid\"}")]
    public void Missing_or_garbage_is_an_unknown_claim_never_an_exception(string? response)
    {
        using var services = NextTestKit.Services(new CapturingHandler());

        var evidence = services.Provider().ReadReturn(NextTestKit.Return(response));

        Assert.Equal(new ReturnEvidence(null, ClaimedOutcome.Unknown), evidence);
    }

    [Fact]
    public void A_pending_order_names_the_order_with_no_claim()
    {
        using var services = NextTestKit.Services(new CapturingHandler());

        var evidence = services.Provider().ReadReturn(NextTestKit.Return(NextTestKit.OrderJson(paymentStatus: "pending")));

        Assert.Equal(new ReturnEvidence("108231", ClaimedOutcome.Unknown), evidence);
    }

    [Fact]
    public async Task Confirm_reads_the_order_the_return_names_and_maps_it()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NextTestKit.OrderJson());
        using var services = NextTestKit.Services(handler);
        var provider = services.Provider();

        var state = await provider.ConfirmAsync(NextTestKit.Order(), new ReturnEvidence("108231", ClaimedOutcome.Paid), CancellationToken.None);

        Assert.Equal("/api/admin/orders/108231/", handler.OnlyRequest().Uri.AbsolutePath);
        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal("paid", state.ProviderStatus);
        Assert.Equal("108231", state.ProviderReference);
        Assert.Equal("108231", state.ProviderData!["order_number"]);
        Assert.Equal("true", state.ProviderData!["is_test"]);
    }

    [Fact]
    public async Task Confirm_prefers_the_stored_reference_over_the_return()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NextTestKit.OrderJson());
        using var services = NextTestKit.Services(handler);

        await services.Provider().ConfirmAsync(NextTestKit.Order(providerReference: "108231"),
            new ReturnEvidence("999999", ClaimedOutcome.Paid), CancellationToken.None);

        Assert.Equal("/api/admin/orders/108231/", handler.OnlyRequest().Uri.AbsolutePath);
    }

    [Fact]
    public async Task Confirm_when_reconciling_uses_the_stored_reference()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NextTestKit.OrderJson(paymentStatus: "refunded"));
        using var services = NextTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NextTestKit.Order(providerReference: "108231"), null, CancellationToken.None);

        Assert.Equal(PaymentStatus.Refunded, state.Status);
    }

    [Fact]
    public async Task Confirm_refuses_an_order_whose_metadata_is_not_ours()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NextTestKit.OrderJson(orderId: "ord_ffffffffffffffffffffffffffffffff"));
        using var services = NextTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NextTestKit.Order(), new ReturnEvidence("108231", ClaimedOutcome.Paid), CancellationToken.None);

        AssertRefused(state, "metadata");
    }

    [Fact]
    public async Task Confirm_refuses_an_order_without_metadata()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NextTestKit.OrderJson(orderId: null));
        using var services = NextTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NextTestKit.Order(), new ReturnEvidence("108231", ClaimedOutcome.Paid), CancellationToken.None);

        AssertRefused(state, "metadata");
    }

    [Fact]
    public async Task Confirm_refuses_an_order_whose_amount_differs()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NextTestKit.OrderJson(total: "0.10"));
        using var services = NextTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NextTestKit.Order(), new ReturnEvidence("108231", ClaimedOutcome.Paid), CancellationToken.None);

        AssertRefused(state, "total_incl_tax");
    }

    [Fact]
    public async Task Confirm_refuses_an_order_whose_currency_differs()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NextTestKit.OrderJson(currency: "EUR"));
        using var services = NextTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NextTestKit.Order(), new ReturnEvidence("108231", ClaimedOutcome.Paid), CancellationToken.None);

        AssertRefused(state, "currency");
    }

    [Fact]
    public async Task Confirm_of_a_number_next_does_not_know_changes_nothing()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.NotFound, """{"detail":"Not found."}""");
        using var services = NextTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NextTestKit.Order(), new ReturnEvidence("424242", ClaimedOutcome.Paid), CancellationToken.None);

        AssertRefused(state, "424242");
    }

    [Fact]
    public async Task Confirm_with_an_unknown_payment_status_changes_nothing_but_records_it()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NextTestKit.OrderJson(paymentStatus: "on_hold_review"));
        using var services = NextTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NextTestKit.Order(), new ReturnEvidence("108231", ClaimedOutcome.Unknown), CancellationToken.None);

        Assert.Null(state.Status);
        Assert.Equal("on_hold_review", state.ProviderStatus);
        Assert.Equal("108231", state.ProviderReference);
    }

    [Fact]
    public async Task An_empty_return_fails_the_order_without_calling_next()
    {
        var handler = new CapturingHandler();
        using var services = NextTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NextTestKit.Order(), new ReturnEvidence(null, ClaimedOutcome.Failed), CancellationToken.None);

        Assert.Equal(0, handler.Count);
        Assert.Equal(PaymentStatus.Failed, state.Status);
        Assert.Equal("no_order", state.ProviderStatus);
        Assert.NotNull(state.Reason);
    }

    [Theory]
    [InlineData(ClaimedOutcome.Unknown)]
    [InlineData(ClaimedOutcome.Paid)]
    public async Task Without_any_order_number_nothing_changes(ClaimedOutcome claim)
    {
        var handler = new CapturingHandler();
        using var services = NextTestKit.Services(handler);

        var withEvidence = await services.Provider().ConfirmAsync(NextTestKit.Order(), new ReturnEvidence(null, claim), CancellationToken.None);
        var reconciling = await services.Provider().ConfirmAsync(NextTestKit.Order(), null, CancellationToken.None);

        Assert.Equal(0, handler.Count);
        Assert.Null(withEvidence.Status);
        Assert.Null(reconciling.Status);
    }

    [Fact]
    public async Task Confirm_failures_surface_as_provider_exceptions()
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.ServiceUnavailable);
        using var services = NextTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () =>
            services.Provider().ConfirmAsync(NextTestKit.Order(providerReference: "108231"), null, CancellationToken.None));

        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
    }

    private static void AssertRefused(ProviderPaymentState state, string reasonMentions)
    {
        Assert.Null(state.Status);
        Assert.Null(state.ProviderReference);
        Assert.Null(state.ProviderStatus);
        Assert.Contains(reasonMentions, state.Reason, StringComparison.Ordinal);
    }
}
