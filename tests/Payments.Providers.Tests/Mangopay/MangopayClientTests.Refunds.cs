using System.Net;
using Payments.Core.Providers;
using Payments.Providers.Mangopay;
using Payments.Testing.Http;

namespace Payments.Providers.Tests.Mangopay;

/// <summary>
/// Refunds: partial and full bodies, the refund's own idempotency key, and how refusals map.
/// </summary>
public sealed partial class MangopayClientTests
{
    [Fact]
    public async Task A_partial_refund_posts_debited_funds_and_zero_fees_with_a_key_from_the_refund_id()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.ServiceUnavailable)
            .Respond(HttpStatusCode.OK, MangopayTestKit.RefundJson(amount: 1000));
        using var services = MangopayTestKit.Services(handler);
        var order = MangopayTestKit.Order(providerReference: MangopayTestKit.PayInId);

        var result = await services.Provider().RefundAsync(order, new RefundRequest("rf_123", 1000, "requested_by_customer", "broken mug"), CancellationToken.None);

        Assert.Equal(RefundOutcome.Succeeded, result.Outcome);
        Assert.Equal("refund_m_01HW", result.ProviderRefundId);
        Assert.Equal("SUCCEEDED", result.ProviderStatus);
        var posts = handler.Requests.Skip(1).ToList();
        Assert.Equal(2, posts.Count);
        Assert.All(posts, r =>
        {
            Assert.Equal(HttpMethod.Post, r.Method);
            Assert.Equal($"/v2.01/{MangopayTestKit.ClientId}/payins/{MangopayTestKit.PayInId}/refunds", r.Uri.AbsolutePath);
            Assert.Equal(MangopayIdempotencyKeys.Refund(MangopayTestKit.OrderId, "rf_123"), r.Header("Idempotency-Key"));
            Assert.Equal(Bearer, r.Header("Authorization"));
        });
        var body = posts[0].Json();
        Assert.Equal(MangopayTestKit.AuthorId, body.GetProperty("AuthorId").GetString());
        Assert.Equal(1000, body.GetProperty("DebitedFunds").GetProperty("Amount").GetInt64());
        Assert.Equal("CHF", body.GetProperty("DebitedFunds").GetProperty("Currency").GetString());
        Assert.Equal(0, body.GetProperty("Fees").GetProperty("Amount").GetInt64());
        Assert.DoesNotContain("broken", posts[0].Body, StringComparison.Ordinal);
        Assert.NotEqual(MangopayIdempotencyKeys.Refund(MangopayTestKit.OrderId, "rf_124"), posts[0].Header("Idempotency-Key"));
    }

    [Fact]
    public async Task A_full_refund_sends_neither_debited_funds_nor_fees()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.OK, MangopayTestKit.RefundJson(amount: 4990));
        using var services = MangopayTestKit.Services(handler);

        await services.Provider().RefundAsync(MangopayTestKit.Order(providerReference: MangopayTestKit.PayInId),
            new RefundRequest("rf_full", 4990, null, null), CancellationToken.None);

        var body = handler.Requests[1].Json();
        Assert.False(body.TryGetProperty("DebitedFunds", out _));
        Assert.False(body.TryGetProperty("Fees", out _));
        Assert.Equal(MangopayTestKit.AuthorId, body.GetProperty("AuthorId").GetString());
    }

    [Fact]
    public async Task A_refund_mangopay_refuses_is_rejected_an_unknown_payin_failed_and_an_unreachable_mangopay_unavailable()
    {
        var handler = new CapturingHandler()
            .Respond(HttpStatusCode.OK, MangopayTestKit.TokenJson())
            .Respond(HttpStatusCode.BadRequest, MangopayTestKit.ErrorJson("param_error"))
            .Respond(HttpStatusCode.NotFound, MangopayTestKit.ErrorJson("ressource_not_found"))
            .Otherwise(HttpStatusCode.ServiceUnavailable);
        using var services = MangopayTestKit.Services(handler);
        var order = MangopayTestKit.Order(providerReference: MangopayTestKit.PayInId);

        var refused = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () =>
            services.Provider().RefundAsync(order, new RefundRequest("rf_1", 100, null, null), CancellationToken.None));
        var unknown = await services.Provider().RefundAsync(order, new RefundRequest("rf_2", 100, null, null), CancellationToken.None);
        var down = await ProviderAssert.ThrowsAsync(MangopayProvider.ProviderName, () =>
            services.Provider().RefundAsync(order, new RefundRequest("rf_3", 100, null, null), CancellationToken.None));

        Assert.Equal(ProviderFailure.Rejected, refused.Failure);
        Assert.Equal("param_error", refused.ProviderCode);
        Assert.Equal(RefundOutcome.Failed, unknown.Outcome);
        Assert.Equal(ProviderFailure.Unavailable, down.Failure);
        Assert.Equal(7, handler.Count); // the token, the 400 and the 404 once each, the 503 four times
    }

    [Fact]
    public async Task A_refund_without_a_payin_is_failed_without_a_call()
    {
        var handler = new CapturingHandler();
        using var services = MangopayTestKit.Services(handler);

        var result = await services.Provider().RefundAsync(MangopayTestKit.Order(), new RefundRequest("rf_1", 100, null, null), CancellationToken.None);

        Assert.Equal(RefundOutcome.Failed, result.Outcome);
        Assert.Equal(0, handler.Count);
    }
}
