using Payments.Providers.Next;

namespace Payments.Providers.Tests.Next;

public sealed class NextRefundCancelClientTests
{
    private const string Refund = """{"id":77,"transactions":[]}""";

    [Fact]
    public async Task Refund_posts_the_documented_body_once()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, Refund);
        using var services = NextTestKit.Services(handler);

        var refund = await services.GetRequiredService<NextClient>().RefundOrderAsync("108231",
            new NextRefundOrderRequest { Transactions = [new NextRefundTransactionRequest(5, "10.00")], Note = "refund rfd_1" }, CancellationToken.None);

        Assert.Equal(77, refund.Id);
        var request = handler.OnlyRequest();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://shop.29next.store/api/admin/orders/108231/refund/", request.Uri.AbsoluteUri);
        Assert.Equal($"Bearer {NextTestKit.Token}", request.Header("Authorization"));
        Assert.Equal("2024-04-01", request.Header("X-29Next-Api-Version"));
        var body = request.Json();
        var tx = Assert.Single(body.GetProperty("transactions").EnumerateArray());
        Assert.Equal(5, tx.GetProperty("id").GetInt64());
        Assert.Equal("10.00", tx.GetProperty("amount").GetString());
        Assert.Equal("refund rfd_1", body.GetProperty("note").GetString());
    }

    [Fact]
    public async Task Refund_is_not_retried_on_503()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.ServiceUnavailable, """{"detail":"unavailable"}""").Otherwise(HttpStatusCode.OK, Refund);
        using var services = NextTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () => services.GetRequiredService<NextClient>().RefundOrderAsync("108231",
            new NextRefundOrderRequest { Transactions = [new NextRefundTransactionRequest(5, "10.00")] }, CancellationToken.None));

        Assert.Equal(1, handler.Count);
        Assert.Equal(ProviderFailure.Unavailable, ex.Failure);
    }

    [Fact]
    public async Task Cancel_posts_a_cancel_reason_without_full_refund_once()
    {
        var handler = new CapturingHandler().Respond(HttpStatusCode.ServiceUnavailable, """{"detail":"unavailable"}""")
            .Otherwise(HttpStatusCode.OK, NextTestKit.OrderJson(paymentStatus: "voided"));
        using var services = NextTestKit.Services(handler);

        await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () => services.GetRequiredService<NextClient>().CancelOrderAsync("108231", CancellationToken.None));

        var request = handler.OnlyRequest();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://shop.29next.store/api/admin/orders/108231/cancel/", request.Uri.AbsoluteUri);
        Assert.Equal("2024-04-01", request.Header("X-29Next-Api-Version"));
        var body = request.Json();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("cancel_reason").GetString()));
        Assert.False(body.GetProperty("full_refund").GetBoolean());
    }

    [Fact]
    public async Task Cancel_without_a_next_order_changes_nothing_and_calls_nothing()
    {
        var handler = new CapturingHandler();
        using var services = NextTestKit.Services(handler);

        var state = await services.Provider().CancelAsync(NextTestKit.Order(), CancellationToken.None);

        Assert.Null(state.Status);
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public async Task Capture_is_not_supported()
    {
        using var services = NextTestKit.Services(new CapturingHandler());
        await Assert.ThrowsAsync<NotSupportedException>(() => services.Provider().CaptureAsync(NextTestKit.Order(), CancellationToken.None));
    }

    /// <summary>The NEXT order with one succeeded debit of 49.90 and, optionally, succeeded refunds of the given amounts.</summary>
    private static string PaidOrderWithRefunds(params string[] refunds)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(NextTestKit.OrderJson(paymentStatus: refunds.Length == 0 ? "paid" : "partially_refunded"))!;
        var transactions = node["transactions"]!.AsArray();
        var id = 60000;
        foreach (var amount in refunds)
        {
            transactions.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["id"] = id++,
                ["type"] = "refund",
                ["status"] = "succeeded",
                ["amount"] = amount,
                ["currency"] = "CHF",
                ["parent_id"] = 55120,
            });
        }

        return node.ToJsonString();
    }

    private static Payments.Core.Orders.Order PaidOrder(params Payments.Core.Orders.RefundRecord[] refunds) =>
        NextTestKit.Order(providerReference: "108231") with { Status = Payments.Core.Orders.PaymentStatus.Succeeded, Refunds = refunds };

    private static Payments.Core.Orders.RefundRecord Recorded(string id, long minor, Payments.Core.Orders.RefundRecordOutcome outcome) =>
        new(id, minor, null, outcome, DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_refund_is_not_sent_when_NEXT_shows_more_refunded_than_we_recorded()
    {
        // We recorded nothing refunded; NEXT shows 10.00 (a dashboard refund, or one we lost track of): refuse, don't guess.
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, PaidOrderWithRefunds("10.00")).Otherwise(HttpStatusCode.OK, Refund);
        using var services = NextTestKit.Services(handler);
        var order = PaidOrder(Recorded("rfd_b", 1000, Payments.Core.Orders.RefundRecordOutcome.Requested));

        var result = await services.Provider().RefundAsync(order, new RefundRequest("rfd_b", 1000, null, null), CancellationToken.None);

        Assert.Equal(RefundOutcome.Failed, result.Outcome);
        Assert.Contains("more than this service recorded", result.Reason, StringComparison.Ordinal);
        Assert.Equal(HttpMethod.Get, handler.OnlyRequest().Method);
    }

    [Fact]
    public async Task A_failed_read_before_the_refund_is_not_sent()
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.BadGateway);
        using var services = NextTestKit.Services(handler);

        var ex = await ProviderAssert.ThrowsAsync(NextProvider.ProviderName, () =>
            services.Provider().RefundAsync(PaidOrder(Recorded("rfd_b", 1000, Payments.Core.Orders.RefundRecordOutcome.Requested)),
                new RefundRequest("rfd_b", 1000, null, null), CancellationToken.None));

        Assert.True(ex.NotSent);
        Assert.All(handler.Requests, r => Assert.Equal(HttpMethod.Get, r.Method));
    }

    [Theory]
    [InlineData("10.00", RefundOutcome.Succeeded)]
    [InlineData(null, RefundOutcome.Failed)]
    [InlineData("5.00", null)]
    public async Task A_lost_refund_answer_is_read_from_NEXTs_refunded_total_without_sending(string? refundedAtNext, RefundOutcome? expected)
    {
        var handler = new CapturingHandler().Otherwise(HttpStatusCode.OK, refundedAtNext is null ? PaidOrderWithRefunds() : PaidOrderWithRefunds(refundedAtNext));
        using var services = NextTestKit.Services(handler);
        var inFlight = Recorded("rfd_b", 1000, Payments.Core.Orders.RefundRecordOutcome.Requested);

        var found = await services.Provider().FindRefundAsync(PaidOrder(inFlight), inFlight, CancellationToken.None);

        Assert.Equal(expected, found?.Outcome);
        Assert.Equal(HttpMethod.Get, handler.OnlyRequest().Method);
    }

    [Fact]
    public async Task A_concurrent_refund_that_reached_NEXT_first_does_not_make_this_one_look_done()
    {
        // Refund A (10.00) is in flight and reached NEXT; refund B (10.00) is new. B must still be sent.
        var handler = new CapturingHandler().Respond(HttpStatusCode.OK, PaidOrderWithRefunds("10.00")).Otherwise(HttpStatusCode.OK, Refund);
        using var services = NextTestKit.Services(handler);
        var order = PaidOrder(
            Recorded("rfd_a", 1000, Payments.Core.Orders.RefundRecordOutcome.Requested),
            Recorded("rfd_b", 1000, Payments.Core.Orders.RefundRecordOutcome.Requested));

        var result = await services.Provider().RefundAsync(order, new RefundRequest("rfd_b", 1000, null, null), CancellationToken.None);

        Assert.Equal(RefundOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, handler.Count);
        var post = handler.Requests[^1];
        Assert.Equal(HttpMethod.Post, post.Method);
        Assert.Equal("10.00", Assert.Single(post.Json().GetProperty("transactions").EnumerateArray()).GetProperty("amount").GetString());
    }
}
