using Payments.Providers.NeuroPay;

namespace Payments.Providers.Tests.NeuroPay;

/// <summary>Capture, refund, cancel and the customer vault, through the fake handler.</summary>
public sealed class NeuroPayOperationsTests
{
    private static Order Stored(IReadOnlyList<RefundRecord>? refunds = null) =>
        NeuroPayTestKit.Order(providerReference: NeuroPayTestKit.CheckoutId, refunds: refunds);

    private static RefundRecord Record(string id, long amount, RefundRecordOutcome outcome = RefundRecordOutcome.Succeeded) =>
        new(id, amount, null, outcome, DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task Capture_posts_the_checkout_id_and_maps_paid_to_succeeded()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"));
        using var services = NeuroPayTestKit.Services(handler);

        var state = await services.Provider().CaptureAsync(Stored(), CancellationToken.None);

        var request = handler.OnlyRequest();
        Assert.Equal("/checkout/capture", request.Uri.AbsolutePath);
        Assert.Equal($$"""{"checkout_id":"{{NeuroPayTestKit.CheckoutId}}"}""", request.Body);
        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal("paid", state.ProviderStatus);
    }

    [Fact]
    public async Task A_refused_capture_of_a_checkout_already_paid_counts_as_captured()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.BadRequest, """{"error":"invalid_status"}""")
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"));
        using var services = NeuroPayTestKit.Services(handler);

        var state = await services.Provider().CaptureAsync(Stored(), CancellationToken.None);

        Assert.Equal(PaymentStatus.Succeeded, state.Status);
        Assert.Equal(["/checkout/capture", "/checkout/retrieve"], handler.Requests.Select(r => r.Uri.AbsolutePath));
    }

    [Fact]
    public async Task A_capture_that_timed_out_and_did_not_happen_is_an_error_sent_once()
    {
        var handler = new CapturingHandler().Hang().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "reserved"));
        using var services = NeuroPayTestKit.Services(handler, s => s["Providers:NeuroPay:Http:AttemptTimeout"] = "00:00:00.200");

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => services.Provider().CaptureAsync(Stored(), CancellationToken.None));

        Assert.Equal(ProviderFailure.Timeout, ex.Failure);
        Assert.Equal(["/checkout/capture", "/checkout/retrieve"], handler.Requests.Select(r => r.Uri.AbsolutePath));
    }

    [Fact]
    public async Task Capture_of_an_order_without_a_checkout_is_refused_without_a_call()
    {
        var handler = new CapturingHandler();
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => services.Provider().CaptureAsync(NeuroPayTestKit.Order(), CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public async Task Refund_sends_amount_reason_in_neuro_pay_spelling_and_details()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"))
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "partialRefund", refunded: 1000));
        using var services = NeuroPayTestKit.Services(handler);
        var order = Stored([Record("rfd_1", 1000, RefundRecordOutcome.Requested)]);

        var result = await services.Provider().RefundAsync(order, new RefundRequest("rfd_1", 1000, RefundReasons.Fraudulent, "Stolen card"), CancellationToken.None);

        Assert.Equal(["/checkout/retrieve", "/checkout/refund"], handler.Requests.Select(r => r.Uri.AbsolutePath));
        Assert.Equal($$"""{"checkout_id":"{{NeuroPayTestKit.CheckoutId}}","amount":1000,"reason":"fraudolent","refundDetails":"Stolen card"}""",
            handler.Requests[1].Body);
        Assert.Equal(RefundOutcome.Succeeded, result.Outcome);
        Assert.Equal("partialRefund", result.ProviderStatus);
        Assert.Null(result.ProviderRefundId);
    }

    [Theory]
    [InlineData("refunded", RefundOutcome.Succeeded)]
    [InlineData("partialRefund", RefundOutcome.Succeeded)]
    [InlineData("paid", RefundOutcome.Pending)]
    [InlineData("failed", RefundOutcome.Failed)]
    [InlineData("somethingNew", RefundOutcome.Pending)]
    public async Task The_refund_outcome_follows_the_checkout_status(string status, RefundOutcome outcome)
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"))
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: status));
        using var services = NeuroPayTestKit.Services(handler);

        var result = await services.Provider().RefundAsync(Stored(), new RefundRequest("rfd_1", 4990, null, null), CancellationToken.None);

        Assert.Equal(outcome, result.Outcome);
        var body = handler.Requests[1].Json();
        Assert.False(body.TryGetProperty("reason", out _));
        Assert.False(body.TryGetProperty("refundDetails", out _));
    }

    [Fact]
    public async Task A_refund_is_not_sent_when_the_checkout_shows_more_refunded_than_we_recorded()
    {
        // We recorded 1000 (rfd_1); the checkout shows 1500: something we do not know of. Refuse, don't guess.
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "partialRefund", refunded: 1500));
        using var services = NeuroPayTestKit.Services(handler);
        var order = Stored([Record("rfd_1", 1000), Record("rfd_2", 500, RefundRecordOutcome.Requested)]);

        var result = await services.Provider().RefundAsync(order, new RefundRequest("rfd_2", 500, null, null), CancellationToken.None);

        Assert.Equal(RefundOutcome.Failed, result.Outcome);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task A_refund_not_yet_shown_is_sent()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "partialRefund", refunded: 1000))
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "partialRefund", refunded: 1500));
        using var services = NeuroPayTestKit.Services(handler);
        var order = Stored([Record("rfd_1", 1000), Record("rfd_x", 200, RefundRecordOutcome.Failed), Record("rfd_2", 500, RefundRecordOutcome.Requested)]);

        var result = await services.Provider().RefundAsync(order, new RefundRequest("rfd_2", 500, null, null), CancellationToken.None);

        Assert.Equal(RefundOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, handler.Count);
    }

    [Fact]
    public async Task A_refund_whose_answer_was_lost_is_an_error_sent_once()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"))
            .Respond(HttpStatusCode.GatewayTimeout);
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () =>
            services.Provider().RefundAsync(Stored(), new RefundRequest("rfd_1", 700, null, null), CancellationToken.None));

        Assert.False(ex.NotSent);
        Assert.Equal(["/checkout/retrieve", "/checkout/refund"], handler.Requests.Select(r => r.Uri.AbsolutePath));
    }

    [Theory]
    [InlineData("partialRefund", 1700L, RefundOutcome.Succeeded)]
    [InlineData("partialRefund", 1000L, RefundOutcome.Failed)]
    [InlineData("partialRefund", 1200L, null)]
    public async Task A_lost_refund_answer_is_read_from_the_checkout_without_sending(string status, long refunded, RefundOutcome? expected)
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: status, refunded: refunded));
        using var services = NeuroPayTestKit.Services(handler);
        var inFlight = Record("rfd_2", 700, RefundRecordOutcome.Requested);

        var found = await services.Provider().FindRefundAsync(Stored([Record("rfd_1", 1000), inFlight]), inFlight, CancellationToken.None);

        Assert.Equal(expected, found?.Outcome);
        Assert.Equal("/checkout/retrieve", handler.OnlyRequest().Uri.AbsolutePath);
    }

    [Fact]
    public async Task A_refund_whose_answer_was_lost_and_that_did_not_happen_stays_unknown()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"))
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"));
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () =>
            services.Provider().RefundAsync(Stored(), new RefundRequest("rfd_1", 700, null, null), CancellationToken.None));

        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
        Assert.Single(handler.Requests, r => r.Uri.AbsolutePath == "/checkout/refund");
    }

    [Fact]
    public async Task A_refused_refund_is_an_error()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"))
            .Respond(HttpStatusCode.BadRequest, """{"error":"invalid_amount"}""");
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () =>
            services.Provider().RefundAsync(Stored(), new RefundRequest("rfd_1", 99999, null, null), CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
        Assert.Equal("invalid_amount", ex.ProviderCode);
        Assert.Equal(2, handler.Count);
    }

    /// <summary>A created checkout is deleted; a reserved one is released by a refund without an amount.</summary>
    [Theory]
    [InlineData("created", "/checkout/delete", "revoked")]
    [InlineData("reserved", "/checkout/refund", "reserve released")]
    public async Task Cancel_deletes_a_created_checkout_and_releases_a_reserved_one(string status, string write, string answered)
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: status))
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: answered));
        using var services = NeuroPayTestKit.Services(handler);

        var state = await services.Provider().CancelAsync(Stored(), CancellationToken.None);

        Assert.Equal(["/checkout/retrieve", write], handler.Requests.Select(r => r.Uri.AbsolutePath));
        Assert.Equal($$"""{"checkout_id":"{{NeuroPayTestKit.CheckoutId}}"}""", handler.Requests[1].Body);
        Assert.Equal(PaymentStatus.Cancelled, state.Status);
        Assert.Equal(answered, state.ProviderStatus);
    }

    [Fact]
    public async Task Cancel_counts_a_delete_with_an_empty_answer_as_deleted()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "created")).Respond(HttpStatusCode.NoContent);
        using var services = NeuroPayTestKit.Services(handler);

        var state = await services.Provider().CancelAsync(Stored(), CancellationToken.None);

        Assert.Equal(PaymentStatus.Cancelled, state.Status);
        Assert.Equal("deleted", state.ProviderStatus);
    }

    [Theory]
    [InlineData("canceled", PaymentStatus.Cancelled)]
    [InlineData("failed", PaymentStatus.Failed)]
    [InlineData("paid", PaymentStatus.Succeeded)]
    public async Task Cancel_of_a_closed_or_paid_checkout_reports_it_without_writing(string status, PaymentStatus expected)
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: status));
        using var services = NeuroPayTestKit.Services(handler);

        var state = await services.Provider().CancelAsync(Stored(), CancellationToken.None);

        Assert.Equal(expected, state.Status);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task A_delete_refused_because_the_shopper_just_paid_reports_the_payment()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "created"))
            .Respond(HttpStatusCode.BadRequest, """{"error":"invalid_status"}""")
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "paid"));
        using var services = NeuroPayTestKit.Services(handler);

        var state = await services.Provider().CancelAsync(Stored(), CancellationToken.None);

        Assert.Equal(PaymentStatus.Succeeded, state.Status);
    }

    [Fact]
    public async Task A_delete_refused_for_no_visible_reason_is_an_error()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "created"))
            .Respond(HttpStatusCode.BadRequest, """{"error":"invalid_status"}""")
            .Respond(HttpStatusCode.OK, NeuroPayTestKit.Checkout(status: "created"));
        using var services = NeuroPayTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => services.Provider().CancelAsync(Stored(), CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, ex.Failure);
    }

    [Fact]
    public async Task Cancel_before_any_checkout_calls_nothing()
    {
        var handler = new CapturingHandler();
        using var services = NeuroPayTestKit.Services(handler);

        var state = await services.Provider().CancelAsync(NeuroPayTestKit.Order(), CancellationToken.None);

        Assert.Equal(PaymentStatus.Cancelled, state.Status);
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public async Task Create_customer_posts_snake_case_names_and_maps_the_answer()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Customer);
        using var services = NeuroPayTestKit.Services(handler);

        var customer = await services.Provider().CreateCustomerAsync(
            new NewCustomer("Ada", "Lovelace", "ada@example.com", new Dictionary<string, string> { ["crmId"] = "cust_123" }), CancellationToken.None);

        var request = handler.OnlyRequest();
        Assert.Equal("/checkout/create-customer", request.Uri.AbsolutePath);
        Assert.Equal("""{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","metaData":{"crmId":"cust_123"}}""", request.Body);
        Assert.Equal(NeuroPayTestKit.CustomerId, customer.Id);
        Assert.Equal($"https://neuro-admin.com/client/{NeuroPayTestKit.CustomerId}", customer.ClientPage);
        Assert.Equal("cust_123", customer.Metadata["crmId"]);
        Assert.Equal(new SavedCard("c0ffee0000000000000000000000beef", "visa", "4242", "12/27", true), Assert.Single(customer.Cards));
    }

    [Fact]
    public async Task Create_customer_leaves_out_empty_metadata_and_is_sent_once()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.ServiceUnavailable);
        using var services = NeuroPayTestKit.Services(handler);

        await ProviderAssert.ThrowsAsync(NeuroPayProvider.ProviderName, () => services.Provider().CreateCustomerAsync(
            new NewCustomer("Ada", "Lovelace", "ada@example.com", new Dictionary<string, string>()), CancellationToken.None));

        Assert.Equal("""{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"}""", handler.OnlyRequest().Body);
    }

    [Fact]
    public async Task Get_and_delete_customer_say_not_found_without_throwing()
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.NotFound, """{"error":"not_found"}""");
        using var services = NeuroPayTestKit.Services(handler);
        var provider = services.Provider();

        Assert.Null(await provider.GetCustomerAsync(NeuroPayTestKit.CustomerId, CancellationToken.None));
        Assert.False(await provider.DeleteCustomerAsync(NeuroPayTestKit.CustomerId, CancellationToken.None));
        Assert.Equal(["/checkout/retrieve-customer", "/checkout/delete-customer"], handler.Requests.Select(r => r.Uri.AbsolutePath));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a b")]
    [InlineData("")]
    public async Task Ids_that_cannot_be_neuro_pay_ids_are_not_sent(string id)
    {
        var handler = new CapturingHandler();
        using var services = NeuroPayTestKit.Services(handler);

        Assert.Null(await services.Provider().GetCustomerAsync(id, CancellationToken.None));
        Assert.False(await services.Provider().DeleteCustomerAsync(id, CancellationToken.None));
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public async Task Delete_customer_is_true_on_any_2xx()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, NeuroPayTestKit.Customer);
        using var services = NeuroPayTestKit.Services(handler);

        Assert.True(await services.Provider().DeleteCustomerAsync(NeuroPayTestKit.CustomerId, CancellationToken.None));
        Assert.Equal($$"""{"customer_id":"{{NeuroPayTestKit.CustomerId}}"}""", handler.OnlyRequest().Body);
    }
}
