using Payments.Core.Events;
using Payments.Host.Events;
using Payments.Host.Hosting;
using Payments.Messaging.Webhooks;
using Payments.Storage.Orders;

namespace Payments.Host.Tests;

/// <summary>
/// The outbox and the status fan-out end to end: real payments through the NEXT sandbox, the outbox in Azurite, the
/// app's Service Bus sender over a Moq'd <c>ServiceBusClient</c> that fails like an unwell namespace
/// (<see cref="MockServiceBus"/>), and a storefront receiver on Kestrel that verifies every signature.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class OutboxFanOutTests(AzuriteFixture azurite)
{
    /// <summary>The app on a Moq'd Service Bus (no broker duplicate detection: the app's own dedupe by event id is what is tested).</summary>
    private static async Task<TestApp> StartAsync(AzuriteFixture azurite, WebhookReceiver receiver, MockServiceBus bus) =>
        await TestApp.StartAsync(azurite, MockServiceBus.Settings(receiver.Settings()), bus.Register);

    private static async Task<List<string>> OutboxEventIdsAsync(TestApp app)
    {
        var ids = new List<string>();
        await foreach (var row in app.Tables.GetTableClient(app.OrdersTable).QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            if (row.RowKey.StartsWith(TableOrderStore.EventRowKeyPrefix, StringComparison.Ordinal))
            {
                ids.Add(row.GetString("EventId")!);
            }
        }

        return ids;
    }

    [Fact]
    public async Task With_Service_Bus_failing_while_100_orders_complete_no_event_is_lost_and_each_reaches_the_storefront_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var bus = new MockServiceBus(MockServiceBus.Mode.Down, duplicateDetection: false);
        await using var app = await StartAsync(azurite, receiver, bus);
        var outbox = app.Service<IOutboxReader>();

        // The SDK's sends fail (ServiceCommunicationProblem) while 100 shoppers pay: every order completes and every event waits in the outbox.
        var orderIds = await NextOrders.PaidAsync(app, 100);
        Assert.True(bus.Refused >= 1);
        Assert.Equal(100, (await outbox.GetUnsentAsync(1000, default)).Count);
        Assert.Empty(bus.Accepted);
        Assert.Empty(receiver.Deliveries);

        // It half recovers: a sweep's first batch reaches the topic but its answer is lost (ServiceTimeout), so nothing is marked sent.
        bus.State = MockServiceBus.Mode.LosesAnswers;
        var lost = await Assert.ThrowsAsync<MessageSendException>(() => app.RunTimerAsync(TimerFunctions.OutboxSweep));
        Assert.True(lost.IsTransient);
        Assert.Equal(OutboxDispatcher.BatchSize, bus.On(MessagingEntities.PaymentEvents).Count);
        Assert.Equal(100, (await outbox.GetUnsentAsync(1000, default)).Count);

        // It recovers: the next sweep publishes all 100 (50 of them a second time) and marks them sent.
        bus.State = MockServiceBus.Mode.Up;
        await app.RunTimerAsync(TimerFunctions.OutboxSweep);
        Assert.Empty(await outbox.GetUnsentAsync(1000, default));
        Assert.Equal(150, bus.On(MessagingEntities.PaymentEvents).Count);
        await bus.DeliverAllAsync(app);

        // A sweep after everything was sent publishes nothing; delivering again delivers nothing new.
        await app.RunTimerAsync(TimerFunctions.OutboxSweep);
        Assert.Equal(0, await bus.DeliverAllAsync(app));
        bus.VerifyOneSenderPerEntity();

        var eventIds = await OutboxEventIdsAsync(app);
        Assert.Equal(100, eventIds.Count);
        var deliveries = receiver.Deliveries.ToList();
        Assert.All(deliveries, d => Assert.Equal(WebhookVerification.Valid, d.Verification));
        Assert.Equal(eventIds.Order(StringComparer.Ordinal), deliveries.Select(d => d.WebhookId).Order(StringComparer.Ordinal));
        Assert.Equal(orderIds.Order(StringComparer.Ordinal), deliveries.Select(d => d.Body["data"]!["orderId"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(deliveries, d =>
        {
            Assert.Equal("order.status_changed", d.Body["type"]!.GetValue<string>());
            var data = d.Body["data"]!.AsObject();
            Assert.Equal(d.WebhookId, data["eventId"]!.GetValue<string>());
            Assert.Equal(("pending", "succeeded", "next"), (data["previousStatus"]!.GetValue<string>(), data["status"]!.GetValue<string>(), data["provider"]!.GetValue<string>()));
            Assert.Equal(("49.90", "CHF"), (data["order"]!["amount"]!.GetValue<string>(), data["order"]!["currency"]!.GetValue<string>()));
            Assert.StartsWith("SO-", data["merchantReference"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.NotNull(data["occurredAt"]);
        });
    }

    [Fact]
    public async Task An_event_is_published_right_after_the_commit_and_reaches_the_storefront_signed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var bus = new MockServiceBus();
        await using var app = await StartAsync(azurite, receiver, bus);

        var orderId = Assert.Single(await NextOrders.PaidAsync(app, 1));

        // No sweep: the publish after the commit put it on the topic and marked it sent.
        Assert.Empty(await app.Service<IOutboxReader>().GetUnsentAsync(10, default));
        var message = Assert.Single(bus.On(MessagingEntities.PaymentEvents));
        Assert.Equal((orderId, "order.status_changed"), (message.CorrelationId, message.Subject));
        await bus.DeliverAllAsync(app);

        var delivery = Assert.Single(receiver.Deliveries);
        Assert.Equal(WebhookVerification.Valid, delivery.Verification);
        Assert.Equal(message.MessageId, delivery.WebhookId);
        Assert.Equal(orderId, delivery.Body["data"]!["orderId"]!.GetValue<string>());
    }

    /// <summary>
    /// The SDK ignores the token while it connects, and against an endpoint that never answers each attempt waits its
    /// TryTimeout + 5 s: a send that never completes must not hold the shopper's 303 beyond our own bound.
    /// </summary>
    [Fact]
    public async Task A_Service_Bus_that_never_answers_does_not_hold_the_shopper_s_303_and_the_sweeps_send_later()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var bus = new MockServiceBus(MockServiceBus.Mode.Hangs);
        await using var app = await StartAsync(azurite, receiver, bus);

        // A subscription: the return publishes the event and enqueues the renewal, both on the 303's path.
        var body = OrderBodies.Next("SO-HANG");
        body["subscription"] = new System.Text.Json.Nodes.JsonObject { ["interval"] = "month" };
        var created = await app.Api.CreateOrderAsync(body);
        var form = await Shopper.DecideAsync(app.Client, created.RedirectUrl!, "pay");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var back = await Shopper.ReturnAsync(app.Client, form);
        watch.Stop();

        // The publish runs off the 303's path: the answer does not even wait for the publish's own bound.
        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.Contains("status=succeeded", back.Headers.Location!.Query, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, OutboxDispatcher.ImmediateTimeout);
        await app.WhenPublishedAsync();
        Assert.True(bus.Hanging >= 2, $"both sends should have hung, {bus.Hanging} did");
        Assert.Empty(bus.Accepted);
        Assert.Single(await app.Service<IOutboxReader>().GetUnsentAsync(10, default));

        // Service Bus answers again: the outbox sweep sends the event. The renewal stays queued in the order, due a
        // month ahead: the charge sweep sends its message when it is due (ChargeService.SweepAsync).
        bus.State = MockServiceBus.Mode.Up;
        await app.RunTimerAsync(TimerFunctions.OutboxSweep);
        Assert.Empty(await app.Service<IOutboxReader>().GetUnsentAsync(10, default));
        var published = Assert.Single(bus.On(MessagingEntities.PaymentEvents));
        Assert.Equal(("order.status_changed", created.OrderId), (published.Subject, published.CorrelationId));
        var renewal = Assert.Single((await app.Api.GetOrderAsync(created.OrderId)).Charges);
        Assert.Equal("queued", renewal.Status);

        await bus.DeliverAllAsync(app);
        Assert.Equal(published.MessageId, Assert.Single(receiver.Deliveries).WebhookId);
    }

    [Fact]
    public async Task A_storefront_that_keeps_failing_gets_growing_retries_and_the_failure_is_recorded()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = _ => 500;
        var settings = receiver.Settings();
        settings["Webhooks:RetryDelays:0"] = "00:00:00";
        settings["Webhooks:RetryDelays:1"] = "00:00:00";
        await using var app = await TestApp.StartAsync(azurite, settings);

        await NextOrders.PaidAsync(app, 1);
        await app.DrainBusAsync();

        Assert.Equal(3, receiver.Deliveries.Count);
        Assert.Single(receiver.Deliveries.Select(d => d.WebhookId).Distinct());
        var failure = Assert.Single(await app.Service<Payments.Storage.Webhooks.TableWebhookDeliveries>().GetFailuresAsync(10, default));
        Assert.Equal((receiver.Deliveries.First().WebhookId, "shop", 3, 500), (failure.EventId, failure.Endpoint, failure.Attempt, failure.StatusCode));
    }

    /// <summary>An outbox whose records of what was published are lost, as when the app is killed before it writes them.</summary>
    private sealed class LosingRecords(IOutboxReader inner) : IOutboxReader
    {
        public bool Losing { get; set; } = true;

        public int Lost { get; private set; }

        public Task<OutboxScan> ScanAsync(int maxCount, CancellationToken cancellationToken) => inner.ScanAsync(maxCount, cancellationToken);

        public Task RecordSentAsync(IReadOnlyCollection<string> eventIds, DateTimeOffset sentAt, CancellationToken cancellationToken)
        {
            if (!Losing)
            {
                return inner.RecordSentAsync(eventIds, sentAt, cancellationToken);
            }

            Lost += eventIds.Count;
            return Task.CompletedTask;
        }

        public Task<bool> AdvanceAsync(OutboxScan scan, CancellationToken cancellationToken) => inner.AdvanceAsync(scan, cancellationToken);
    }

    [Fact]
    public async Task Events_whose_records_of_publishing_were_lost_are_published_again_and_reach_the_storefront_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var bus = new MockServiceBus(); // with the broker's duplicate detection, as our topics have it
        LosingRecords? outbox = null;
        await using var app = await TestApp.StartAsync(azurite, MockServiceBus.Settings(receiver.Settings()), services =>
        {
            bus.Register(services);
            services.AddSingleton<IOutboxReader>(sp => outbox = new LosingRecords(new TableOutbox(sp.GetRequiredService<TableOrderStore>())));
        });

        // Five payments, each published right after its commit; then the records that say so are lost.
        var orderIds = await NextOrders.PaidAsync(app, 5);
        await app.WhenPublishedAsync();
        Assert.Equal(5, outbox!.Lost);
        Assert.Equal(5, bus.On(MessagingEntities.PaymentEvents).Count);
        Assert.Equal(5, (await outbox.GetUnsentAsync(100, default)).Count);

        // The sweep publishes all five once more; the broker drops the repeats by MessageId (the event id).
        outbox.Losing = false;
        Assert.Equal(5, await app.Service<OutboxDispatcher>().SweepAsync(default));
        Assert.Empty(await outbox.GetUnsentAsync(100, default));
        Assert.Equal(5, bus.On(MessagingEntities.PaymentEvents).Count);
        Assert.Equal(0, await app.Service<OutboxDispatcher>().SweepAsync(default));

        await bus.DeliverAllAsync(app);
        Assert.Equal(orderIds.Order(StringComparer.Ordinal),
            receiver.Deliveries.Select(d => d.Body["data"]!["orderId"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(5, receiver.Deliveries.Select(d => d.WebhookId).Distinct().Count());
    }
}
