using Payments.Providers.NeuroPay;

namespace Payments.Providers.Tests.NeuroPay;

public sealed class NeuroPayReturnTests
{
    [Fact]
    public void A_plain_return_claims_nothing_and_names_nothing()
    {
        using var services = NeuroPayTestKit.Services(new CapturingHandler());

        Assert.Equal(new ReturnEvidence(null, ClaimedOutcome.Unknown), services.Provider().ReadReturn(NeuroPayTestKit.Return()));
    }

    [Fact]
    public void The_cancel_url_claims_cancelled()
    {
        using var services = NeuroPayTestKit.Services(new CapturingHandler());

        var evidence = services.Provider().ReadReturn(NeuroPayTestKit.Return(new Dictionary<string, string> { ["cancel"] = "1" }, cancelled: true));

        Assert.Equal(new ReturnEvidence(null, ClaimedOutcome.Cancelled), evidence);
    }

    [Theory]
    [InlineData("checkout_id", NeuroPayTestKit.CheckoutId, NeuroPayTestKit.CheckoutId)]
    [InlineData("cid", "abc-123_X", "abc-123_X")]
    [InlineData("checkout_id", "../admin", null)]
    [InlineData("checkout_id", "", null)]
    [InlineData("checkout_id", "a b", null)]
    [InlineData("status", "paid", null)]
    public void A_checkout_id_in_the_query_is_picked_up_only_if_it_looks_like_one(string field, string value, string? expected)
    {
        using var services = NeuroPayTestKit.Services(new CapturingHandler());

        var evidence = services.Provider().ReadReturn(NeuroPayTestKit.Return(new Dictionary<string, string> { [field] = value }));

        Assert.Equal(new ReturnEvidence(expected, ClaimedOutcome.Unknown), evidence);
    }

    [Fact]
    public void A_very_long_id_is_ignored()
    {
        using var services = NeuroPayTestKit.Services(new CapturingHandler());

        var evidence = services.Provider().ReadReturn(NeuroPayTestKit.Return(new Dictionary<string, string> { ["checkout_id"] = new string('a', 65) }));

        Assert.Null(evidence.ProviderReference);
    }

    [Theory]
    [InlineData("paid", PaymentStatus.Succeeded)]
    [InlineData("reserved", PaymentStatus.Authorized)]
    [InlineData("failed", PaymentStatus.Failed)]
    [InlineData("canceled", PaymentStatus.Cancelled)]
    [InlineData("created", null)]
    public async Task Confirm_reads_the_stored_checkout_and_maps_it(string status, PaymentStatus? expected)
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: status));
        using var services = NeuroPayTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NeuroPayTestKit.Order(providerReference: NeuroPayTestKit.CheckoutId),
            new ReturnEvidence(null, ClaimedOutcome.Unknown), CancellationToken.None);

        var request = handler.OnlyRequest();
        Assert.Equal("/checkout/retrieve", request.Uri.AbsolutePath);
        Assert.Equal(NeuroPayTestKit.CheckoutId, request.Json().GetProperty("checkout_id").GetString());
        Assert.Equal(expected, state.Status);
        Assert.Equal(status, state.ProviderStatus);
        Assert.Equal(NeuroPayTestKit.CheckoutId, state.ProviderReference);
        Assert.Equal(NeuroPayTestKit.CheckoutId, state.ProviderData!["checkout_id"]);
        Assert.Equal(expected is PaymentStatus.Failed or PaymentStatus.Cancelled, state.Reason is not null);
    }

    [Fact]
    public async Task A_cancel_return_whose_checkout_is_still_created_changes_nothing()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "created"));
        using var services = NeuroPayTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NeuroPayTestKit.Order(providerReference: NeuroPayTestKit.CheckoutId),
            new ReturnEvidence(null, ClaimedOutcome.Cancelled), CancellationToken.None);

        Assert.Null(state.Status);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task Confirm_prefers_the_stored_checkout_over_the_return()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"));
        using var services = NeuroPayTestKit.Services(handler);

        await services.Provider().ConfirmAsync(NeuroPayTestKit.Order(providerReference: NeuroPayTestKit.CheckoutId),
            new ReturnEvidence("someoneelse0000000000000000000000", ClaimedOutcome.Unknown), CancellationToken.None);

        Assert.Equal(NeuroPayTestKit.CheckoutId, handler.OnlyRequest().Json().GetProperty("checkout_id").GetString());
    }

    [Fact]
    public async Task Without_any_checkout_id_nothing_is_asked_and_nothing_changes()
    {
        var handler = new CapturingHandler();
        using var services = NeuroPayTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NeuroPayTestKit.Order(), null, CancellationToken.None);

        Assert.Null(state.Status);
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public async Task A_returned_id_is_used_only_for_a_checkout_that_names_the_order()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"))
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid", orderId: null))
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid", orderId: "ord_ffffffffffffffffffffffffffffffff"));
        using var services = NeuroPayTestKit.Services(handler);
        var provider = services.Provider();
        var evidence = new ReturnEvidence(NeuroPayTestKit.CheckoutId, ClaimedOutcome.Unknown);

        Assert.Equal(PaymentStatus.Succeeded, (await provider.ConfirmAsync(NeuroPayTestKit.Order(), evidence, CancellationToken.None)).Status);
        Assert.Null((await provider.ConfirmAsync(NeuroPayTestKit.Order(), evidence, CancellationToken.None)).Status);
        Assert.Null((await provider.ConfirmAsync(NeuroPayTestKit.Order(), evidence, CancellationToken.None)).Status);
    }

    [Theory]
    [InlineData(4990, "EUR", "ord_ffffffffffffffffffffffffffffffff")]
    [InlineData(100, "SEK", NeuroPayTestKit.OrderId)]
    [InlineData(4990, "NOK", NeuroPayTestKit.OrderId)]
    public async Task A_checkout_that_is_not_the_orders_changes_nothing(long amount, string currency, string orderId)
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid", amount: amount, currency: currency, orderId: orderId));
        using var services = NeuroPayTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NeuroPayTestKit.Order(providerReference: NeuroPayTestKit.CheckoutId), null, CancellationToken.None);

        Assert.Null(state.Status);
        Assert.Null(state.ProviderReference);
        Assert.NotNull(state.Reason);
    }

    [Fact]
    public async Task An_unknown_returned_checkout_changes_nothing_but_an_unknown_stored_one_is_an_error()
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.NotFound, """{"error":"not_found"}""");
        using var services = NeuroPayTestKit.Services(handler);
        var provider = services.Provider();

        var state = await provider.ConfirmAsync(NeuroPayTestKit.Order(), new ReturnEvidence("abc", ClaimedOutcome.Unknown), CancellationToken.None);
        Assert.Null(state.Status);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () =>
            provider.ConfirmAsync(NeuroPayTestKit.Order(providerReference: "abc"), null, CancellationToken.None));
        Assert.Equal(ProviderFailure.NotFound, ex.Failure);
    }

    [Fact]
    public async Task An_unknown_status_word_means_no_change()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "chargeback"));
        using var services = NeuroPayTestKit.Services(handler);

        var state = await services.Provider().ConfirmAsync(NeuroPayTestKit.Order(providerReference: NeuroPayTestKit.CheckoutId), null, CancellationToken.None);

        Assert.Null(state.Status);
        Assert.Equal("chargeback", state.ProviderStatus);
        Assert.Equal(NeuroPayTestKit.CheckoutId, state.ProviderReference);
    }
}
