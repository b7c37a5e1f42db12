using Payments.Sandbox.Next;

namespace Payments.Host.Tests;

/// <summary>NEXT refund and cancel end to end: the real handler, the real NEXT client, the NEXT sandbox, Azurite.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class NextRefundCancelTests(AzuriteFixture azurite)
{
    internal static async Task<string> PaidOrderAsync(TestApp app)
    {
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        await Shopper.PayAsync(app.Client, created.RedirectUrl!);
        var orderId = created.OrderId;
        Assert.Equal("succeeded", (await app.Api.GetOrderAsync(orderId)).Status);
        return orderId;
    }

    private static Task<HttpResponseMessage> RefundAsync(TestApp app, string orderId, string? json, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orders/{orderId}/refunds")
        {
            Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return app.Client.SendAsync(request);
    }

    [Fact]
    public async Task Partial_then_remaining_refund_ends_refunded_and_an_over_refund_is_a_422()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var orderId = await PaidOrderAsync(app);

        var partial = await RefundAsync(app, orderId, """{"amount":"10.00","reason":"requested_by_customer"}""");
        Assert.Equal(HttpStatusCode.OK, partial.StatusCode);
        Assert.Equal("partially_refunded", (await app.Api.GetOrderAsync(orderId)).Status);

        var over = await RefundAsync(app, orderId, """{"amount":"40.00"}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, over.StatusCode);

        var rest = await RefundAsync(app, orderId, null);
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal("refunded", (await app.Api.GetOrderAsync(orderId)).Status);

        var sandbox = app.Service<NextSandboxState>();
        Assert.Equal(2, sandbox.RefundCalls);
    }

    [Fact]
    public async Task The_same_Idempotency_Key_twice_refunds_once_at_NEXT()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var orderId = await PaidOrderAsync(app);

        var first = await RefundAsync(app, orderId, """{"amount":"5.00"}""", key: "refund-key-1");
        var second = await RefundAsync(app, orderId, """{"amount":"5.00"}""", key: "refund-key-1");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, app.Service<NextSandboxState>().RefundCalls);
        Assert.Equal("partially_refunded", (await app.Api.GetOrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task Cancelling_a_paid_order_is_a_409_invalid_state()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var orderId = await PaidOrderAsync(app);

        var response = await app.Api.CancelAsync(orderId);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("urn:payments:problem:invalid-state", (await app.Api.ReadAsync<Problem>(response)).Type);
    }
}
