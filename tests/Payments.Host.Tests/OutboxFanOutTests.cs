using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Payments.Host.Hosting;
using Payments.Messaging;
using Payments.Messaging.InProcess;
using Payments.Messaging.Webhooks;
using Payments.Storage.Orders;
using Payments.Testing;

namespace Payments.Host.Tests;

/// <summary>
/// The outbox and the status fan-out end to end: real payments through the NEXT sandbox, the outbox in Azurite, the
/// in-process bus behind a sender that fails like an unwell Service Bus, and a storefront receiver on Kestrel that
/// verifies every signature.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class OutboxFanOutTests(AzuriteFixture azurite)
{
    /// <summary>Stands between the app and the bus: down (503, nothing sent), losing answers (sent, then 503), or up.</summary>
    public sealed class FlakySender(InProcessBus bus) : IMessageSender
    {
        public enum Mode
        {
            Up,
            Down,
            LosesAnswers,
        }

        private int _refused;

        public Mode State { get; set; } = Mode.Up;

        public int Refused => Volatile.Read(ref _refused);

        public Task SendAsync(string entityPath, OutgoingMessage message, CancellationToken cancellationToken = default) =>
            SendBatchAsync(entityPath, [message], cancellationToken);

        public async Task SendBatchAsync(string entityPath, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken = default)
        {
            if (State == Mode.LosesAnswers)
            {
                await bus.SendBatchAsync(entityPath, messages, cancellationToken);
            }

            if (State != Mode.Up)
            {
                Interlocked.Increment(ref _refused);
                throw new MessageSendException($"Sending to '{entityPath}' failed: HTTP 503.", entityPath, HttpStatusCode.ServiceUnavailable, isTransient: true, attempts: 1);
            }

            await bus.SendBatchAsync(entityPath, messages, cancellationToken);
        }
    }

    private static async Task<TestApp> StartAsync(AzuriteFixture azurite, WebhookReceiver receiver, FlakySender.Mode mode)
    {
        var settings = receiver.Settings();

        // The broker's duplicate detection is off here, so the app's own dedupe (by event id, durable) is what is tested.
        settings["ServiceBus:InProcess:DuplicateDetectionWindow"] = "00:00:00";
        return await TestApp.StartAsync(azurite, settings, services =>
        {
            services.AddSingleton(sp => new FlakySender(sp.GetRequiredService<InProcessBus>()) { State = mode });
            services.AddSingleton<IMessageSender>(sp => sp.GetRequiredService<FlakySender>());
        });
    }

    internal static async Task<List<string>> PayOrdersAsync(TestApp app, int count)
    {
        var ids = new List<string>();
        foreach (var batch in Enumerable.Range(0, count).Chunk(10))
        {
            ids.AddRange(await Task.WhenAll(batch.Select(async i =>
            {
                var created = await NextPaymentFlowTests.CreateAsync(app, NextPaymentFlowTests.OrderBody($"SO-{i:D4}"));
                var back = await Shopper.PayAsync(app.Client, created["redirectUrl"]!.GetValue<string>());
                Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
                Assert.Contains("status=succeeded", back.Headers.Location!.Query, StringComparison.Ordinal);
                return created["orderId"]!.GetValue<string>();
            })));
        }

        return ids;
    }

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
        await using var app = await StartAsync(azurite, receiver, FlakySender.Mode.Down);
        var sender = app.Service<FlakySender>();
        var outbox = app.Service<IOutboxReader>();

        // Service Bus answers 503 while 100 shoppers pay: every order completes and every event waits in the outbox.
        var orderIds = await PayOrdersAsync(app, 100);
        Assert.True(sender.Refused >= 1);
        Assert.Equal(100, (await outbox.GetUnsentAsync(1000, default)).Count);
        Assert.Equal(0, await app.DrainBusAsync());
        Assert.Empty(receiver.Deliveries);

        // It half recovers: a sweep's first batch reaches the topic but its answer is lost, so nothing is marked sent.
        sender.State = FlakySender.Mode.LosesAnswers;
        await Assert.ThrowsAsync<MessageSendException>(() => app.RunTimerAsync(TimerFunctions.OutboxSweep));
        Assert.Equal(100, (await outbox.GetUnsentAsync(1000, default)).Count);

        // It recovers: the next sweep publishes all 100 (50 of them a second time) and marks them sent.
        sender.State = FlakySender.Mode.Up;
        await app.RunTimerAsync(TimerFunctions.OutboxSweep);
        Assert.Empty(await outbox.GetUnsentAsync(1000, default));
        await app.DrainBusAsync();

        // A sweep after everything was sent publishes nothing; a drain delivers nothing new.
        await app.RunTimerAsync(TimerFunctions.OutboxSweep);
        await app.DrainBusAsync();

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
        Assert.Empty(app.Bus.DeadLetters(MessagingEntities.PaymentEvents, MessagingEntities.StorefrontWebhooksSubscription));
        Assert.Empty(app.Bus.DeadLetters(WebhookOptions.DefaultDeliveryQueue));
    }

    [Fact]
    public async Task An_event_is_published_right_after_the_commit_and_reaches_the_storefront_signed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await StartAsync(azurite, receiver, FlakySender.Mode.Up);

        var orderId = Assert.Single(await PayOrdersAsync(app, 1));

        // No sweep: the publish after the commit put it on the topic and marked it sent.
        Assert.Empty(await app.Service<IOutboxReader>().GetUnsentAsync(10, default));
        var message = Assert.Single(app.Bus.Peek(MessagingEntities.PaymentEvents, MessagingEntities.StorefrontWebhooksSubscription));
        Assert.Equal((orderId, "order.status_changed"), (message.CorrelationId, message.Subject));
        await app.DrainBusAsync();

        var delivery = Assert.Single(receiver.Deliveries);
        Assert.Equal(WebhookVerification.Valid, delivery.Verification);
        Assert.Equal(message.MessageId, delivery.WebhookId);
        Assert.Equal(orderId, delivery.Body["data"]!["orderId"]!.GetValue<string>());
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

        await PayOrdersAsync(app, 1);
        await app.DrainBusAsync();

        Assert.Equal(3, receiver.Deliveries.Count);
        Assert.Single(receiver.Deliveries.Select(d => d.WebhookId).Distinct());
        var failure = Assert.Single(await app.Service<Payments.Storage.Webhooks.TableWebhookDeliveries>().GetFailuresAsync(10, default));
        Assert.Equal((receiver.Deliveries.First().WebhookId, "shop", 3, 500), (failure.EventId, failure.Endpoint, failure.Attempt, failure.StatusCode));
    }
}
