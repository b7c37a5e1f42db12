namespace Payments.Messaging.Tests.InProcess;

public sealed class InProcessBusTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly InProcessBus _bus;

    public InProcessBusTests()
    {
        _bus = new InProcessBus(new InProcessBusOptions { MaxDeliveryCount = 5, MaxConcurrentCalls = 1 }, _clock);
    }

    public void Dispose() => _bus.Dispose();

    [Fact]
    public async Task A_handler_that_fails_twice_is_called_three_times()
    {
        var deliveries = new List<int>();
        _bus.Subscribe("payment-charges", Handler(m =>
        {
            deliveries.Add(m.DeliveryCount);
            return deliveries.Count <= 2 ? HandlerResult.Failure("provider down") : HandlerResult.Success();
        }));

        await _bus.SendAsync("payment-charges", OutgoingMessage.FromText("charge") with { MessageId = "chg_1" });
        var made = await _bus.ProcessDueAsync();

        Assert.Equal(3, made);
        Assert.Equal([1, 2, 3], deliveries);
        Assert.Equal(0, _bus.MessageCount("payment-charges"));
        Assert.Empty(_bus.DeadLetters("payment-charges"));
    }

    [Fact]
    public async Task Exceptions_count_as_failures_and_the_message_is_dead_lettered_after_max_deliveries()
    {
        var calls = 0;
        _bus.Subscribe("payment-charges", Handler(_ =>
        {
            calls++;
            throw new InvalidOperationException("always broken");
        }), maxDeliveryCount: 3);

        await _bus.SendAsync("payment-charges", OutgoingMessage.FromText("poison") with { MessageId = "chg_poison" });
        await _bus.ProcessDueAsync();

        Assert.Equal(3, calls);
        var dead = Assert.Single(_bus.DeadLetters("payment-charges"));
        Assert.Equal("chg_poison", dead.Message.MessageId);
        Assert.Equal(3, dead.Message.DeliveryCount);
        Assert.Equal(DeadLetteredMessage.MaxDeliveryCountExceeded, dead.Reason);
        Assert.Contains("always broken", dead.ErrorDescription, StringComparison.Ordinal);
        Assert.Equal(0, _bus.MessageCount("payment-charges"));
    }

    [Fact]
    public async Task Scheduled_messages_wait_for_their_time()
    {
        var received = new List<ReceivedMessage>();
        _bus.Subscribe("payment-charges", Handler(m =>
        {
            received.Add(m);
            return HandlerResult.Success();
        }));
        var due = _clock.GetUtcNow().AddMinutes(10);

        await _bus.SendAsync("payment-charges", OutgoingMessage.FromText("recurring") with { MessageId = "chg_later", ScheduledEnqueueTimeUtc = due });
        Assert.Equal(0, await _bus.ProcessDueAsync());
        Assert.Equal(due, _bus.NextDueTime());

        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, await _bus.ProcessDueAsync());

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _bus.ProcessDueAsync());
        var message = Assert.Single(received);
        Assert.Equal("recurring", message.BodyAsString);
        Assert.Equal(due, message.EnqueuedTimeUtc);
    }

    [Fact]
    public async Task The_waiting_pump_wakes_when_a_scheduled_message_falls_due()
    {
        _bus.Subscribe("payment-charges", Handler(_ => HandlerResult.Success()));
        await _bus.SendAsync("payment-charges", OutgoingMessage.FromText("x") with { ScheduledEnqueueTimeUtc = _clock.GetUtcNow().AddMinutes(5) });

        // The send itself wakes a waiting pump once (it finds nothing due yet and waits again).
        await _bus.WaitForWorkAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, await _bus.ProcessDueAsync());

        var waiting = _bus.WaitForWorkAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        _clock.Advance(TimeSpan.FromMinutes(5));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_duplicate_message_id_is_dropped_within_the_window()
    {
        var bodies = new List<string>();
        _bus.Subscribe("payment-charges", Handler(m =>
        {
            bodies.Add(m.BodyAsString);
            return HandlerResult.Success();
        }));

        await _bus.SendAsync("payment-charges", OutgoingMessage.FromText("first") with { MessageId = "evt_1" });
        await _bus.SendAsync("payment-charges", OutgoingMessage.FromText("again") with { MessageId = "evt_1" });
        await _bus.SendBatchAsync("payment-charges", [OutgoingMessage.FromText("batched") with { MessageId = "evt_1" }, OutgoingMessage.FromText("other") with { MessageId = "evt_2" }]);
        await _bus.ProcessDueAsync();
        _clock.Advance(TimeSpan.FromMinutes(11));
        await _bus.SendAsync("payment-charges", OutgoingMessage.FromText("after the window") with { MessageId = "evt_1" });
        await _bus.ProcessDueAsync();

        Assert.Equal(["first", "other", "after the window"], bodies);
    }

    [Fact]
    public async Task A_topic_copies_each_message_to_every_subscription_independently()
    {
        var webhooks = new List<string>();
        var audit = 0;
        _bus.Subscribe("payment-events", "webhooks", Handler(m =>
        {
            webhooks.Add(m.MessageId!);
            return HandlerResult.Success();
        }));
        _bus.Subscribe("payment-events", "audit", Handler(_ =>
        {
            audit++;
            return HandlerResult.Failure("audit store down");
        }), maxDeliveryCount: 2);

        var message = OutgoingMessage.FromJson(new { status = "succeeded" }) with { MessageId = "evt_9", CorrelationId = "ord_9", Subject = "order.status_changed" };
        message.ApplicationProperties["type"] = "order.status_changed";
        await _bus.SendAsync("payment-events", message);
        await _bus.ProcessDueAsync();

        Assert.Equal(["evt_9"], webhooks);
        Assert.Equal(2, audit);
        var dead = Assert.Single(_bus.DeadLetters("payment-events", "audit"));
        Assert.Equal("ord_9", dead.Message.CorrelationId);
        Assert.Equal("order.status_changed", dead.Message.Subject);
        Assert.Equal("order.status_changed", dead.Message.ApplicationProperties["type"]);
        Assert.Empty(_bus.DeadLetters("payment-events", "webhooks"));
    }

    [Fact]
    public async Task Sending_to_an_unknown_entity_fails_like_Service_Bus()
    {
        var ex = await Assert.ThrowsAsync<MessageSendException>(() => _bus.SendAsync("payment-evnets", OutgoingMessage.FromText("x")));

        Assert.Equal("MessagingEntityNotFound", ex.Reason);
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public async Task Messages_wait_until_someone_subscribes()
    {
        _bus.DeclareQueue("later");
        await _bus.SendAsync("later", OutgoingMessage.FromText("kept") with { MessageId = "k" });
        Assert.Equal(0, await _bus.ProcessDueAsync());
        Assert.Equal("kept", Assert.Single(_bus.Peek("later")).BodyAsString);

        var got = new List<string>();
        _bus.Subscribe("later", Handler(m =>
        {
            got.Add(m.BodyAsString);
            return HandlerResult.Success();
        }));
        await _bus.ProcessDueAsync();

        Assert.Equal(["kept"], got);
    }

    [Fact]
    public async Task Expired_messages_are_dropped()
    {
        var calls = 0;
        _bus.Subscribe("payment-charges", Handler(_ =>
        {
            calls++;
            return HandlerResult.Success();
        }));

        await _bus.SendAsync("payment-charges", OutgoingMessage.FromText("x") with { TimeToLive = TimeSpan.FromMinutes(1) });
        _clock.Advance(TimeSpan.FromMinutes(2));
        await _bus.ProcessDueAsync();

        Assert.Equal(0, calls);
        Assert.Equal(0, _bus.MessageCount("payment-charges"));
    }

    [Fact]
    public async Task A_redelivery_delay_holds_failed_messages_back()
    {
        using var bus = new InProcessBus(new InProcessBusOptions { MaxDeliveryCount = 3, RedeliveryDelay = TimeSpan.FromSeconds(30) }, _clock);
        var calls = 0;
        bus.Subscribe("q", Handler(_ => ++calls < 2 ? HandlerResult.Failure("once") : HandlerResult.Success()));

        await bus.SendAsync("q", OutgoingMessage.FromText("x"));
        await bus.ProcessDueAsync();
        Assert.Equal(1, calls);

        _clock.Advance(TimeSpan.FromSeconds(30));
        await bus.ProcessDueAsync();
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task The_background_pump_delivers_without_being_asked()
    {
        using var bus = new InProcessBus(new InProcessBusOptions { MaxDeliveryCount = 3 });
        var done = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = new ConcurrentQueue<int>();
        bus.Subscribe("q", Handler(m =>
        {
            attempts.Enqueue(m.DeliveryCount);
            if (m.DeliveryCount < 2)
            {
                return HandlerResult.Failure("first try fails");
            }

            done.TrySetResult(m);
            return HandlerResult.Success();
        }));
        using var pump = new InProcessBusPump(bus, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<InProcessBusPump>.Instance);
        await pump.StartAsync(CancellationToken.None);

        await bus.SendAsync("q", OutgoingMessage.FromText("hello") with { MessageId = "p-1" });
        var message = await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await pump.StopAsync(CancellationToken.None);

        Assert.Equal("hello", message.BodyAsString);
        Assert.Equal([1, 2], attempts);
    }

    [Fact]
    public async Task Due_messages_are_delivered_earliest_due_first_then_in_send_order()
    {
        var delivered = new List<string>();
        _bus.Subscribe("payment-charges", Handler(m =>
        {
            delivered.Add(m.MessageId!);
            return HandlerResult.Success();
        }));
        var now = _clock.GetUtcNow();

        // Sent in this order; "early" was scheduled before "first" and "second" were sent, to a time now past.
        await _bus.SendAsync("payment-charges", OutgoingMessage.FromText("x") with { MessageId = "late", ScheduledEnqueueTimeUtc = now.AddMinutes(2) });
        await _bus.SendAsync("payment-charges", OutgoingMessage.FromText("x") with { MessageId = "early", ScheduledEnqueueTimeUtc = now.AddMinutes(1) });
        _clock.Advance(TimeSpan.FromMinutes(1.5));
        await _bus.SendAsync("payment-charges", OutgoingMessage.FromText("x") with { MessageId = "first" });
        await _bus.SendAsync("payment-charges", OutgoingMessage.FromText("x") with { MessageId = "second" });

        Assert.Equal(3, await _bus.ProcessDueAsync());
        Assert.Equal(["early", "first", "second"], delivered);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _bus.ProcessDueAsync());
        Assert.Equal(["early", "first", "second", "late"], delivered);
    }

    [Fact]
    public async Task One_message_in_two_subscriptions_reaches_both_one_at_a_time()
    {
        var delivered = new List<string>();
        _bus.Subscribe("payment-events", "a", Handler(m =>
        {
            delivered.Add($"a:{m.MessageId}");
            return HandlerResult.Success();
        }));
        _bus.Subscribe("payment-events", "b", Handler(m =>
        {
            delivered.Add($"b:{m.MessageId}");
            return HandlerResult.Success();
        }));

        await _bus.SendAsync("payment-events", OutgoingMessage.FromText("x") with { MessageId = "evt_1" });
        await _bus.SendAsync("payment-events", OutgoingMessage.FromText("x") with { MessageId = "evt_2" });

        // One delivery at a time (MaxConcurrentCalls = 1): each message to both subscriptions before the next message.
        Assert.Equal(4, await _bus.ProcessDueAsync());
        Assert.Equal(2, delivered.Take(2).Count(d => d.EndsWith(":evt_1", StringComparison.Ordinal)));
        Assert.Equal(["a:evt_1", "a:evt_2", "b:evt_1", "b:evt_2"], delivered.Order());
    }

    [Fact]
    public async Task The_background_pump_delivers_what_was_sent_before_it_started()
    {
        using var bus = new InProcessBus();
        var done = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        bus.Subscribe("q", Handler(m =>
        {
            done.TrySetResult(m);
            return HandlerResult.Success();
        }));
        await bus.SendAsync("q", OutgoingMessage.FromText("early") with { MessageId = "p-0" });

        using var pump = new InProcessBusPump(bus, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<InProcessBusPump>.Instance);
        await pump.StartAsync(CancellationToken.None);
        var message = await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await pump.StopAsync(CancellationToken.None);

        Assert.Equal("early", message.BodyAsString);
        Assert.Equal(0, bus.MessageCount("q"));
    }

    [Fact]
    public void A_queue_gets_one_handler()
    {
        _bus.Subscribe("q", Handler(_ => HandlerResult.Success()));

        Assert.Throws<InvalidOperationException>(() => _bus.Subscribe("q", Handler(_ => HandlerResult.Success())));
        Assert.Throws<InvalidOperationException>(() => _bus.DeclareTopic("q"));
    }

    private static DelegateMessageHandler Handler(Func<ReceivedMessage, HandlerResult> handle) =>
        new((m, _) => Task.FromResult(handle(m)));
}
