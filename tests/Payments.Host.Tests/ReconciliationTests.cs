using Payments.Host.Hosting;

namespace Payments.Host.Tests;

/// <summary>The Reconcile timer against the sandboxes: pending orders the provider has decided on are settled, hopeless ones expired.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ReconciliationTests(AzuriteFixture azurite)
{
    /// <summary>The system clock moved ahead on demand (timers and delays keep running on real time).</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }

    private static Dictionary<string, string?> AskAtOnce() => new() { ["Reconciliation:PendingAfter"] = "00:00:00" };

    [Fact]
    public async Task A_pending_NEXT_order_that_NEXT_says_is_paid_is_settled_without_a_shopper_return()
    {
        await using var app = await TestApp.StartAsync(azurite, AskAtOnce());
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var orderId = created.OrderId;

        // The shopper leaves the TWINT payment pending and comes back: the order is pending, its NEXT number stored.
        var back = await Shopper.PayAsync(app.Client, created.RedirectUrl!, "pending");
        Assert.Contains("status=pending", back.Headers.Location!.Query, StringComparison.Ordinal);
        var number = (await app.Api.GetOrderAsync(orderId)).ProviderReference;

        // The payment completes later at NEXT; no return, no webhook reaches us.
        var paid = await app.Client.PostAsJsonAsync($"/sandbox/next/_sandbox/orders/{number}/payment-status/", new { payment_status = "paid" });
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        await app.RunTimerAsync(TimerFunctions.Reconcile);

        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        var step = Assert.Single(order.History);
        Assert.Equal(("pending", "succeeded", "reconcile"), (step.From, step.To, step.Source));

        // Settled orders are not asked about again.
        await app.RunTimerAsync(TimerFunctions.Reconcile);
        Assert.Single((await app.Api.GetOrderAsync(orderId)).History);
    }

    [Fact]
    public async Task A_Neuro_Pay_checkout_paid_by_a_shopper_who_never_came_back_is_settled()
    {
        await using var app = await TestApp.StartAsync(azurite, AskAtOnce());
        var body = new JsonObject
        {
            ["provider"] = "neuropay",
            ["merchantReference"] = "SO-4001",
            ["amount"] = "49.90",
            ["currency"] = "SEK",
            ["successUrl"] = $"{TestApp.Shop}/checkout/done",
            ["failureUrl"] = $"{TestApp.Shop}/checkout/failed",
        };
        var created = await app.Api.ReadAsync<OrderView>(await app.Api.PostOrderAsync(body));
        var orderId = created.OrderId;
        var decided = await app.Client.PostAsync(created.RedirectUrl, new FormUrlEncodedContent([new("decision", "pay")]));
        Assert.Equal(HttpStatusCode.SeeOther, decided.StatusCode);

        await app.RunTimerAsync(TimerFunctions.Reconcile);

        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("succeeded", order.Status);
        Assert.Equal("reconcile", order.History[0].Source);
    }

    [Fact]
    public async Task A_NEXT_order_whose_number_never_became_known_is_expired_once_its_session_is_long_over()
    {
        var clock = new ShiftedClock();
        var settings = AskAtOnce();
        await using var app = await TestApp.StartAsync(azurite, settings, services => services.AddSingleton<TimeProvider>(clock));
        var created = await app.Api.CreateOrderAsync(OrderBodies.Next());
        var orderId = created.OrderId;

        // Paid at NEXT, but neither the return nor a webhook ever arrives: nothing tells us NEXT's order number.
        await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");
        await app.RunTimerAsync(TimerFunctions.Reconcile);
        Assert.Equal("pending", (await app.Api.GetOrderAsync(orderId)).Status);

        clock.Offset = TimeSpan.FromMinutes(15 + 59);
        await app.RunTimerAsync(TimerFunctions.Reconcile);
        Assert.Equal("pending", (await app.Api.GetOrderAsync(orderId)).Status);

        clock.Offset = TimeSpan.FromMinutes(15 + 61);
        await app.RunTimerAsync(TimerFunctions.Reconcile);
        var order = await app.Api.GetOrderAsync(orderId);
        Assert.Equal("expired", order.Status);
        Assert.Equal("reconcile", order.History[0].Source);
        Assert.Contains("had not decided", order.FailureReason, StringComparison.Ordinal);
    }
}
