using Payments.Core.Charges;
using Payments.Core.Money;
using Payments.Storage.Webhooks;

namespace Payments.Storage.Tests;

/// <summary>What the timers query (stale pending orders, charges due) and the webhook delivery log, on Azurite.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class EventsAndChargesStorageTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2025, 7, 1, 10, 0, 0, TimeSpan.Zero);

    private static Order NewOrder(DateTimeOffset createdAt, PaymentStatus status = PaymentStatus.Pending) => new()
    {
        Id = PaymentService.NewOrderId(createdAt),
        Provider = "next",
        MerchantReference = "M-" + Guid.NewGuid().ToString("N")[..8],
        Amount = new Money(4990, Currency.Chf),
        SuccessUrl = "https://shop.example/ok",
        FailureUrl = "https://shop.example/fail",
        Status = status,
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
    };

    [Fact]
    public async Task Orders_by_status_and_age_come_back_oldest_first_and_bounded()
    {
        var storage = azurite.CreateOrderStorage();
        var old1 = NewOrder(Now.AddHours(-3));
        var old2 = NewOrder(Now.AddHours(-2));
        var old3 = NewOrder(Now.AddHours(-1));
        var fresh = NewOrder(Now.AddMinutes(-5));
        var paid = NewOrder(Now.AddHours(-4), PaymentStatus.Succeeded);
        foreach (var order in new[] { old3, fresh, old1, paid, old2 })
        {
            await storage.Store.TryInsertAsync(order, default);
        }

        Assert.Equal([old1.Id, old2.Id, old3.Id], await storage.Store.FindByStatusAsync(PaymentStatus.Pending, Now.AddMinutes(-20), 10, default));
        Assert.Equal([old1.Id, old2.Id], await storage.Store.FindByStatusAsync(PaymentStatus.Pending, Now.AddMinutes(-20), 2, default));
        Assert.Equal([paid.Id], await storage.Store.FindByStatusAsync(PaymentStatus.Succeeded, Now, 10, default));
    }

    [Fact]
    public async Task Pending_orders_whose_payment_session_was_never_recorded_are_found_by_age_and_stop_matching_once_opened()
    {
        var storage = azurite.CreateOrderStorage();
        var stuck = NewOrder(Now.AddMinutes(-10));
        var opened = NewOrder(Now.AddMinutes(-10)) with { RedirectUrl = "https://pay.example/1" };
        var fresh = NewOrder(Now.AddMinutes(-1));
        var failed = NewOrder(Now.AddMinutes(-10), PaymentStatus.Failed);
        foreach (var order in new[] { stuck, opened, fresh, failed })
        {
            await storage.Store.TryInsertAsync(order, default);
        }

        Assert.Equal([stuck.Id], await storage.Store.FindAwaitingProviderSessionAsync(Now.AddMinutes(-2), 10, default));

        var read = (await storage.Store.GetAsync(stuck.Id, default))!;
        await storage.Store.TryReplaceAsync(read, read.Order with { RedirectUrl = "https://pay.example/2" }, [], default);
        Assert.Empty(await storage.Store.FindAwaitingProviderSessionAsync(Now.AddMinutes(-2), 10, default));
    }

    [Fact]
    public async Task Orders_with_charges_due_are_found_by_the_charges_due_column()
    {
        var storage = azurite.CreateOrderStorage();
        var queued = NewOrder(Now, PaymentStatus.Succeeded) with
        {
            Charges = [new ChargeRecord(ChargeRules.NewChargeId(Now), ChargeKind.Upsell, 100, [], ChargeStatus.Queued, Now, Now)],
        };
        var later = NewOrder(Now, PaymentStatus.Succeeded) with
        {
            Charges = [new ChargeRecord(ChargeRules.NewChargeId(Now), ChargeKind.Recurring, 100, [], ChargeStatus.Queued, Now, Now, RunAt: Now.AddDays(30))],
        };
        var done = NewOrder(Now, PaymentStatus.Succeeded) with
        {
            Charges = [new ChargeRecord(ChargeRules.NewChargeId(Now), ChargeKind.Upsell, 100, [], ChargeStatus.Succeeded, Now, Now)],
        };
        foreach (var order in new[] { queued, later, done })
        {
            await storage.Store.TryInsertAsync(order, default);
        }

        Assert.Empty(await storage.Store.FindChargesDueAsync(Now, 10, default));
        Assert.Equal([queued.Id], await storage.Store.FindChargesDueAsync(Now + ChargeRules.ResendAfter, 10, default));
        Assert.Equal(2, (await storage.Store.FindChargesDueAsync(Now.AddDays(31), 10, default)).Count);

        // Settling the charge clears the column in the same write.
        var stored = (await storage.Store.GetAsync(queued.Id, default))!;
        var settled = stored.Order with { Charges = [stored.Order.Charges[0] with { Status = ChargeStatus.Succeeded }] };
        await storage.Store.TryReplaceAsync(stored, settled, [PaymentEvent.ForCharge(settled, settled.Charges[0], Now)], default);
        Assert.Empty(await storage.Store.FindChargesDueAsync(Now + ChargeRules.ResendAfter, 10, default));
        Assert.Single(await storage.Outbox.GetUnsentAsync(10, default));
    }

    [Fact]
    public async Task A_charge_event_round_trips_through_the_outbox()
    {
        var storage = azurite.CreateOrderStorage();
        var order = NewOrder(Now, PaymentStatus.Succeeded) with
        {
            Charges = [new ChargeRecord(ChargeRules.NewChargeId(Now), ChargeKind.Upsell, 1250, [new OrderItem("Socks", "77", 1, 1250, null, ItemType.Goods)],
                ChargeStatus.Succeeded, Now, Now, ProviderReference: "100001/5")],
        };
        var stored = (await storage.Store.TryInsertAsync(order with { Charges = [] }, default))!;
        var evt = PaymentEvent.ForCharge(order, order.Charges[0], Now);
        await storage.Store.TryReplaceAsync(stored, order, [evt], default);

        var read = Assert.Single(await storage.Outbox.GetUnsentAsync(10, default)).Event;
        Assert.Equal((evt.EventId, evt.Type, evt.OrderId, evt.Status), (read.EventId, read.Type, read.OrderId, read.Status));
        Assert.Null(read.PreviousStatus);
        Assert.Equal(("12.50", ChargeKind.Upsell, "100001/5"), (read.Charge!.Amount, read.Charge.Kind, read.Charge.ProviderReference));
        var back = (await storage.Store.GetAsync(order.Id, default))!.Order;
        Assert.Equal(order.Charges[0], back.Charges[0] with { Items = order.Charges[0].Items });
        Assert.Equal(order.Charges[0].Items, back.Charges[0].Items);
    }

    [Fact]
    public async Task A_delivery_is_claimed_once_then_recorded_and_a_stale_claim_is_taken_over()
    {
        var storage = azurite.CreateOrderStorage();
        var clock = new ManualClock(Now);
        var options = new OrderStorageOptions { WebhookDeliveriesTable = AzuriteFixture.UniqueTableName("deliveries") };
        var log = new TableWebhookDeliveries(storage.Client, options, clock);
        var lease = TimeSpan.FromSeconds(30);

        var claims = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => log.TryClaimAsync("evt_1", "shop", 1, lease, default)));
        Assert.Single(claims, c => c == DeliveryClaimResult.Claimed);
        Assert.All(claims.Where(c => c != DeliveryClaimResult.Claimed), c => Assert.Equal(DeliveryClaimResult.InProgress, c));

        clock.Now += lease;
        Assert.Equal(DeliveryClaimResult.Claimed, await log.TryClaimAsync("evt_1", "shop", 1, lease, default));
        await log.MarkDeliveredAsync("evt_1", "shop", 1, 200, default);
        clock.Now += TimeSpan.FromDays(1);
        Assert.Equal(DeliveryClaimResult.Delivered, await log.TryClaimAsync("evt_1", "shop", 1, lease, default));

        // A retryable failure releases the pair for the next attempt; a failure for good is final and queryable.
        Assert.Equal(DeliveryClaimResult.Claimed, await log.TryClaimAsync("evt_2", "shop/with slash", 1, lease, default));
        await log.ReleaseAsync("evt_2", "shop/with slash", 1, "HTTP 503", default);
        Assert.Equal(DeliveryClaimResult.Claimed, await log.TryClaimAsync("evt_2", "shop/with slash", 2, lease, default));
        await log.RecordFailureAsync("evt_2", "shop/with slash", 2, "RetryableFailure", 503, "HTTP 503", default);
        Assert.Equal(DeliveryClaimResult.Failed, await log.TryClaimAsync("evt_2", "shop/with slash", 3, lease, default));

        var failure = Assert.Single(await log.GetFailuresAsync(10, default));
        Assert.Equal(("evt_2", "shop/with slash", WebhookDeliveryState.Failed, 2, 503), (failure.EventId, failure.Endpoint, failure.State, failure.Attempt, failure.StatusCode));
        Assert.Equal(WebhookDeliveryState.Delivered, (await log.GetAsync("evt_1", "shop", default))!.State);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
