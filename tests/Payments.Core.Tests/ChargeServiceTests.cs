using Payments.Core.Charges;

namespace Payments.Core.Tests;

/// <summary>Charges: accepted onto the order, run at most once per provider call however often delivered, settled with events.</summary>
public class ChargeServiceTests
{
    private sealed class ChargeProvider : IPaymentProvider, IChargeOperations
    {
        public int UpsellCalls;
        public int RecurringCalls;

        public string Name => "charges";
        public ProviderCapabilities Capabilities => ProviderCapabilities.Create | ProviderCapabilities.Return | ProviderCapabilities.Upsell | ProviderCapabilities.Recurring;
        public bool ChargesAreIdempotent { get; set; }
        public Func<ChargeRecord, Task<ProviderChargeResult>> OnCharge { get; set; } =
            c => Task.FromResult(new ProviderChargeResult(ChargeOutcome.Succeeded, "pc-" + c.ChargeId[4..12], "paid"));

        public IEnumerable<ValidationIssue> Validate(OrderDraft draft) => [];
        public Task<ProviderSession> CreateSessionAsync(ProviderSessionRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new ProviderSession("ref-" + request.Order.Id, "https://pay.example", null, new Dictionary<string, string>()));
        public ReturnEvidence ReadReturn(ReturnRequest request) => new(null, ClaimedOutcome.Unknown);
        public Func<Order, ProviderPaymentState> OnConfirm { get; set; } = _ => new ProviderPaymentState(PaymentStatus.Succeeded, "paid", null, null);
        public Task<ProviderPaymentState> ConfirmAsync(Order order, ReturnEvidence? evidence, CancellationToken cancellationToken) => Task.FromResult(OnConfirm(order));

        public IEnumerable<ValidationIssue> ValidateCharge(Order order, ChargeDraft draft) =>
            draft.Items.Any(i => i.Sku is null) ? [new ValidationIssue("items[0].sku", "charges: needs a sku", IssueKind.Unprocessable)] : [];

        public async Task<ProviderChargeResult> ChargeUpsellAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref UpsellCalls);
            await Task.Yield();
            return await OnCharge(charge);
        }

        public async Task<ProviderChargeResult> ChargeRecurringAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref RecurringCalls);
            await Task.Yield();
            return await OnCharge(charge);
        }
    }

    /// <summary>The queue, recording what was sent (and failing on demand).</summary>
    private sealed class RecordingQueue : IChargeQueue
    {
        public ConcurrentQueue<(string OrderId, ChargeRecord Charge)> Sent { get; } = new();
        public bool Fail { get; set; }

        public Task EnqueueAsync(string orderId, ChargeRecord charge, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new InvalidOperationException("the queue is down");
            }

            Sent.Enqueue((orderId, charge));
            return Task.CompletedTask;
        }
    }

    /// <summary>What the host does after a commit: record the events, send the messages of new queued charges.</summary>
    private sealed class Observer(IChargeQueue queue) : IOrderChangeObserver
    {
        public ConcurrentQueue<PaymentEvent> Events { get; } = new();

        public async Task OnCommittedAsync(Order before, Order after, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken)
        {
            foreach (var e in events)
            {
                Events.Enqueue(e);
            }

            foreach (var charge in after.Charges.Where(c => c.Status == ChargeStatus.Queued && !before.Charges.Any(b => b.ChargeId == c.ChargeId)))
            {
                try
                {
                    await queue.EnqueueAsync(after.Id, charge, cancellationToken);
                }
                catch (InvalidOperationException)
                {
                    // Best effort, like the host's: the charge sweep sends it.
                }
            }
        }
    }

    private readonly TestClock _clock = new(new DateTimeOffset(2025, 1, 31, 10, 0, 0, TimeSpan.Zero));
    private readonly InMemoryOrderStore _store = new();
    private readonly ChargeProvider _provider = new();
    private readonly RecordingQueue _queue = new();
    private readonly Observer _observer;
    private readonly PaymentService _payments;
    private readonly ChargeService _charges;

    public ChargeServiceTests()
    {
        var catalog = new ProviderCatalog([_provider, new FakeProvider { Name = "plain" }]);
        _observer = new Observer(_queue);
        _payments = new PaymentService(catalog, _store, new InMemoryLookups(), new FakeLinks(), _clock, NullLogger<PaymentService>.Instance, _observer);
        _charges = new ChargeService(catalog, _store, _store, _payments, _queue, _clock, NullLogger<ChargeService>.Instance);
    }

    private async Task<Order> PaidOrderAsync(string provider = "charges", SubscriptionRequest? subscription = null, string reference = "SO-1001")
    {
        var request = Requests.Order() with { Provider = provider, MerchantReference = reference, Subscription = subscription };
        var draft = Requests.Draft(request);
        var order = Assert.IsType<CreateOrderResult.Created>(await _payments.CreateAsync(draft, reference, default)).Order;
        var paid = (await _payments.SettleAsync(order.Id, null, TransitionSource.Return, default))!;
        Assert.Equal(PaymentStatus.Succeeded, paid.Status);
        return paid;
    }

    private static ChargeRequest Upsell(string price = "10.00", string? sku = "77") =>
        new(ChargeKind.Upsell, null, [new OrderItemRequest { Name = "Socks", Sku = sku, Quantity = 1, UnitPrice = price }], null);

    private async Task<ChargeRecord> AcceptedAsync(string orderId, ChargeRequest request, string? key = null) =>
        Assert.IsType<ChargeRequestResult.Accepted>(await _charges.RequestAsync(orderId, request, key, default)).Charge;

    private async Task<Order> OrderAsync(string id) => (await _store.GetAsync(id, default))!.Order;

    [Fact]
    public async Task An_upsell_is_queued_on_the_order_and_its_message_sent_with_the_charge_id()
    {
        var order = await PaidOrderAsync();

        var charge = await AcceptedAsync(order.Id, Upsell());

        Assert.Equal((ChargeKind.Upsell, ChargeStatus.Queued, 1000L), (charge.Kind, charge.Status, charge.AmountMinor));
        Assert.True(ChargeRules.IsChargeId(charge.ChargeId));
        Assert.Single((await OrderAsync(order.Id)).Charges);
        var sent = Assert.Single(_queue.Sent);
        Assert.Equal((order.Id, charge.ChargeId), (sent.OrderId, sent.Charge.ChargeId));
        Assert.Equal(0, _provider.UpsellCalls);
    }

    [Fact]
    public async Task A_message_delivered_three_times_calls_the_provider_once_and_publishes_one_event()
    {
        var order = await PaidOrderAsync();
        var charge = await AcceptedAsync(order.Id, Upsell());

        var results = new List<ChargeRunResult>();
        for (var delivery = 1; delivery <= 3; delivery++)
        {
            results.Add(await _charges.RunAsync(order.Id, charge.ChargeId, default));
        }

        Assert.Equal(1, _provider.UpsellCalls);
        Assert.All(results, r => Assert.Equal(ChargeStatus.Succeeded, Assert.IsType<ChargeRunResult.Done>(r).Charge.Status));
        var settled = Assert.Single((await OrderAsync(order.Id)).Charges);
        Assert.Equal(ChargeStatus.Succeeded, settled.Status);
        var evt = Assert.Single(_observer.Events, e => e.Type.StartsWith("charge.", StringComparison.Ordinal));
        Assert.Equal(PaymentEvent.ChargeSucceeded, evt.Type);
        Assert.Equal((charge.ChargeId, "10.00", ChargeStatus.Succeeded), (evt.Charge!.ChargeId, evt.Charge.Amount, evt.Charge.Status));
        Assert.Null(evt.PreviousStatus);
    }

    [Fact]
    public async Task Concurrent_deliveries_call_the_provider_once_and_end_with_its_answer()
    {
        var order = await PaidOrderAsync();
        var charge = await AcceptedAsync(order.Id, Upsell());

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _charges.RunAsync(order.Id, charge.ChargeId, default)));

        Assert.Equal(1, _provider.UpsellCalls);
        Assert.Equal(ChargeStatus.Succeeded, Assert.Single((await OrderAsync(order.Id)).Charges).Status);
    }

    [Fact]
    public async Task A_delivery_that_died_mid_call_makes_the_next_one_mark_the_charge_unknown_without_calling_again()
    {
        var order = await PaidOrderAsync();
        var charge = await AcceptedAsync(order.Id, Upsell());
        _provider.OnCharge = _ => throw new OperationCanceledException("the process died");
        await Assert.ThrowsAsync<OperationCanceledException>(() => _charges.RunAsync(order.Id, charge.ChargeId, default));
        Assert.Equal(ChargeStatus.Processing, Assert.Single((await OrderAsync(order.Id)).Charges).Status);
        _provider.OnCharge = c => Task.FromResult(new ProviderChargeResult(ChargeOutcome.Succeeded, "x", "paid"));

        var second = Assert.IsType<ChargeRunResult.Done>(await _charges.RunAsync(order.Id, charge.ChargeId, default));
        await _charges.RunAsync(order.Id, charge.ChargeId, default);

        Assert.Equal(1, _provider.UpsellCalls);
        Assert.Equal(ChargeStatus.Unknown, second.Charge.Status);
        Assert.Contains("unknown", second.Charge.FailureReason, StringComparison.Ordinal);
        Assert.Single(_observer.Events, e => e.Type == PaymentEvent.ChargeUnknown);
    }

    [Fact]
    public async Task A_call_that_certainly_never_reached_the_provider_is_queued_again_and_retried()
    {
        var order = await PaidOrderAsync();
        var charge = await AcceptedAsync(order.Id, Upsell());
        _provider.OnCharge = _ => throw new ProviderException("charges", ProviderFailure.Unavailable, "circuit open", notSent: true);

        Assert.IsType<ChargeRunResult.Retry>(await _charges.RunAsync(order.Id, charge.ChargeId, default));
        Assert.Equal(ChargeStatus.Queued, Assert.Single((await OrderAsync(order.Id)).Charges).Status);

        _provider.OnCharge = c => Task.FromResult(new ProviderChargeResult(ChargeOutcome.Succeeded, "x", "paid"));
        Assert.Equal(ChargeStatus.Succeeded, Assert.IsType<ChargeRunResult.Done>(await _charges.RunAsync(order.Id, charge.ChargeId, default)).Charge.Status);
        Assert.Equal(2, _provider.UpsellCalls);
    }

    [Theory]
    [InlineData(true, ChargeStatus.Queued)]
    [InlineData(false, ChargeStatus.Unknown)]
    public async Task A_recurring_charge_at_a_provider_without_idempotent_charges_is_queued_again_only_when_never_sent(bool notSent, ChargeStatus expected)
    {
        // Neuro-Pay's case: no idempotency key, so an open circuit (not sent) is queued again, a 503 (maybe charged) is for a human.
        _provider.ChargesAreIdempotent = false;
        var order = await PaidOrderAsync();
        var charge = await AcceptedAsync(order.Id, new ChargeRequest(ChargeKind.Recurring, "49.90", null, null));
        _provider.OnCharge = _ => throw new ProviderException("charges", ProviderFailure.Unavailable,
            notSent ? "charges: POST /checkout/create was not sent: the circuit is open after repeated failures." : "charges: answered 503.",
            notSent ? null : 503, notSent: notSent);

        var run = await _charges.RunAsync(order.Id, charge.ChargeId, default);

        Assert.Equal(1, _provider.RecurringCalls);
        Assert.Equal(expected, Assert.Single((await OrderAsync(order.Id)).Charges, c => c.ChargeId == charge.ChargeId).Status);
        if (notSent)
        {
            Assert.IsType<ChargeRunResult.Retry>(run);
            _provider.OnCharge = c => Task.FromResult(new ProviderChargeResult(ChargeOutcome.Succeeded, "ck-2", "paid"));
            Assert.Equal(ChargeStatus.Succeeded, Assert.IsType<ChargeRunResult.Done>(await _charges.RunAsync(order.Id, charge.ChargeId, default)).Charge.Status);
            Assert.Equal(2, _provider.RecurringCalls);
        }
        else
        {
            Assert.IsType<ChargeRunResult.Done>(run);
        }
    }

    [Theory]
    [InlineData(ProviderFailure.Timeout, false, ChargeStatus.Unknown)]
    [InlineData(ProviderFailure.Unavailable, false, ChargeStatus.Unknown)]
    [InlineData(ProviderFailure.Rejected, false, ChargeStatus.Failed)]
    [InlineData(ProviderFailure.NotFound, false, ChargeStatus.Failed)]
    [InlineData(ProviderFailure.Timeout, true, ChargeStatus.Queued)]
    public async Task A_failed_call_is_settled_by_what_it_may_have_done(ProviderFailure failure, bool idempotent, ChargeStatus expected)
    {
        _provider.ChargesAreIdempotent = idempotent;
        var order = await PaidOrderAsync();
        var charge = await AcceptedAsync(order.Id, Upsell());
        _provider.OnCharge = _ => throw new ProviderException("charges", failure, "it went wrong", 500);

        await _charges.RunAsync(order.Id, charge.ChargeId, default);

        var after = Assert.Single((await OrderAsync(order.Id)).Charges);
        Assert.Equal(expected, after.Status);
        var events = _observer.Events.Where(e => e.Type.StartsWith("charge.", StringComparison.Ordinal)).Select(e => e.Type).ToList();
        Assert.Equal(expected switch
        {
            ChargeStatus.Unknown => [PaymentEvent.ChargeUnknown],
            ChargeStatus.Failed => [PaymentEvent.ChargeFailed],
            _ => new List<string>(),
        }, events);
    }

    [Fact]
    public async Task Bad_requests_are_refused_before_anything_is_written()
    {
        var order = await PaidOrderAsync();
        var plain = await PaidOrderAsync("plain", reference: "SO-2");
        var before = (await _store.GetAsync(order.Id, default))!.ETag;

        Assert.IsType<ChargeRequestResult.NotFound>(await _charges.RequestAsync("ord_0000000000000000000000000000000f", Upsell(), null, default));
        var notSupported = Assert.IsType<ChargeRequestResult.NotSupported>(await _charges.RequestAsync(plain.Id, Upsell(), null, default));
        Assert.Equal(("plain", ProviderCapabilities.Upsell), (notSupported.Provider, notSupported.Capability));
        Assert.IsType<ChargeRequestResult.NotSupported>(await _charges.RequestAsync(plain.Id, new ChargeRequest(ChargeKind.Recurring, "1.00", null, null), null, default));

        var invalid = new[]
        {
            new ChargeRequest(ChargeKind.Upsell, null, null, null),
            new ChargeRequest(ChargeKind.Upsell, null, [], null),
            Upsell(price: "-1.00"),
            Upsell(price: "1.001"),
            new ChargeRequest(ChargeKind.Upsell, null, [new OrderItemRequest { Name = "Socks", Quantity = 0, UnitPrice = "1.00" }], null),
            new ChargeRequest(ChargeKind.Recurring, null, null, null),
            new ChargeRequest(ChargeKind.Recurring, "0.00", null, null),
            new ChargeRequest(ChargeKind.Recurring, "abc", null, null),
            new ChargeRequest(ChargeKind.Recurring, "5.00", [new OrderItemRequest { Name = "A", Sku = "1", Quantity = 1, UnitPrice = "4.00" }], null),
            new ChargeRequest(ChargeKind.Recurring, "5.00", null, _clock.Now.AddDays(-1)),
            new ChargeRequest(ChargeKind.Recurring, "5.00", null, _clock.Now.AddDays(500)),
            Upsell(sku: null),
        };
        foreach (var request in invalid)
        {
            Assert.IsType<ChargeRequestResult.Invalid>(await _charges.RequestAsync(order.Id, request, null, default));
        }

        Assert.Equal(before, (await _store.GetAsync(order.Id, default))!.ETag);
        Assert.Empty((await OrderAsync(order.Id)).Charges);
        Assert.Empty(_queue.Sent);
    }

    [Fact]
    public async Task An_order_not_paid_cannot_be_charged()
    {
        var request = Requests.Order() with { Provider = "charges" };
        var draft = Requests.Draft(request);
        var pending = Assert.IsType<CreateOrderResult.Created>(await _payments.CreateAsync(draft, "k", default)).Order;

        var result = Assert.IsType<ChargeRequestResult.InvalidState>(await _charges.RequestAsync(pending.Id, Upsell(), null, default));

        Assert.Contains("pending", result.Detail, StringComparison.Ordinal);
        Assert.Empty((await OrderAsync(pending.Id)).Charges);
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_charge_and_with_another_body_is_refused()
    {
        var order = await PaidOrderAsync();
        var first = await AcceptedAsync(order.Id, Upsell(), key: "up-1");

        var again = Assert.IsType<ChargeRequestResult.Accepted>(await _charges.RequestAsync(order.Id, Upsell(), "up-1", default));
        var other = await _charges.RequestAsync(order.Id, Upsell(price: "11.00"), "up-1", default);

        Assert.True(again.Replayed);
        Assert.Equal(first.ChargeId, again.Charge.ChargeId);
        Assert.Equal(first.ChargeId, Assert.IsType<ChargeRequestResult.KeyReused>(other).ChargeId);
        Assert.Single((await OrderAsync(order.Id)).Charges);

        // The replay of a still-queued charge sends its message again (the broker drops the repeat).
        Assert.Equal(2, _queue.Sent.Count(s => s.Charge.ChargeId == first.ChargeId));
    }

    [Fact]
    public async Task A_recurring_charge_with_runAt_is_queued_for_then()
    {
        var order = await PaidOrderAsync();
        var runAt = _clock.Now.AddDays(3);

        var charge = await AcceptedAsync(order.Id, new ChargeRequest(ChargeKind.Recurring, "49.90", null, runAt));

        Assert.Equal((ChargeKind.Recurring, runAt, 4990L), (charge.Kind, charge.RunAt, charge.AmountMinor));
        Assert.Equal(runAt, Assert.Single(_queue.Sent).Charge.RunAt);
    }

    [Fact]
    public async Task A_subscription_order_queues_its_renewals_one_after_the_other()
    {
        var order = await PaidOrderAsync(subscription: new SubscriptionRequest { Interval = "month", IntervalCount = 1 });

        var renewal = Assert.Single(order.Charges);
        Assert.Equal((ChargeKind.Recurring, 2, ChargeStatus.Queued, order.Amount.Minor), (renewal.Kind, renewal.Cycle, renewal.Status, renewal.AmountMinor));
        Assert.Equal(new DateTimeOffset(2025, 2, 28, 10, 0, 0, TimeSpan.Zero), renewal.RunAt);
        Assert.Equal(renewal.ChargeId, Assert.Single(_queue.Sent).Charge.ChargeId);

        _clock.Now = renewal.RunAt!.Value;
        await _charges.RunAsync(order.Id, renewal.ChargeId, default);
        await _charges.RunAsync(order.Id, renewal.ChargeId, default);

        var charges = (await OrderAsync(order.Id)).Charges;
        Assert.Equal(2, charges.Count);
        Assert.Equal(ChargeStatus.Succeeded, charges[0].Status);
        Assert.Equal((3, ChargeStatus.Queued), (charges[1].Cycle, charges[1].Status));
        Assert.Equal(new DateTimeOffset(2025, 3, 31, 10, 0, 0, TimeSpan.Zero), charges[1].RunAt);
        Assert.Equal(1, _provider.RecurringCalls);
        Assert.Equal(2, _queue.Sent.Count);
    }

    [Fact]
    public async Task A_declined_renewal_ends_the_chain()
    {
        var order = await PaidOrderAsync(subscription: new SubscriptionRequest { Interval = "week", IntervalCount = 2 });
        _provider.OnCharge = _ => Task.FromResult(new ProviderChargeResult(ChargeOutcome.Failed, null, "declined", "card declined"));

        await _charges.RunAsync(order.Id, order.Charges[0].ChargeId, default);

        var charge = Assert.Single((await OrderAsync(order.Id)).Charges);
        Assert.Equal((ChargeStatus.Failed, "card declined"), (charge.Status, charge.FailureReason));
        Assert.Single(_observer.Events, e => e.Type == PaymentEvent.ChargeFailed);
    }

    [Fact]
    public async Task The_sweep_sends_lost_messages_again_and_settles_charges_a_dead_delivery_left_processing()
    {
        var order = await PaidOrderAsync();
        _queue.Fail = true;
        var lost = await AcceptedAsync(order.Id, Upsell());
        var stuck = await AcceptedAsync(order.Id, Upsell(price: "5.00"));
        _queue.Fail = false;
        _provider.OnCharge = _ => throw new OperationCanceledException("the process died");
        await Assert.ThrowsAsync<OperationCanceledException>(() => _charges.RunAsync(order.Id, stuck.ChargeId, default));
        Assert.Empty(_queue.Sent);

        Assert.Equal(0, await _charges.SweepAsync(default));
        _clock.Advance(TimeSpan.FromTicks(Math.Max(ChargeRules.ResendAfter.Ticks, ChargeRules.ProcessingLease.Ticks)));
        Assert.Equal(2, await _charges.SweepAsync(default));
        Assert.Equal(lost.ChargeId, Assert.Single(_queue.Sent).Charge.ChargeId);

        var after = (await OrderAsync(order.Id)).Charges.Single(c => c.ChargeId == stuck.ChargeId);
        Assert.Equal(ChargeStatus.Unknown, after.Status);
        Assert.Equal(1, _provider.UpsellCalls);
    }

    [Fact]
    public async Task A_charge_of_an_order_refunded_meanwhile_fails_without_a_provider_call()
    {
        var order = await PaidOrderAsync();
        var charge = await AcceptedAsync(order.Id, Upsell());
        await _payments.UpdateAsync(order.Id, o => (o with { Status = PaymentStatus.Refunded }, []), default);

        var done = Assert.IsType<ChargeRunResult.Done>(await _charges.RunAsync(order.Id, charge.ChargeId, default));

        Assert.Equal(ChargeStatus.Failed, done.Charge.Status);
        Assert.Equal(0, _provider.UpsellCalls);
    }

    [Fact]
    public async Task A_message_for_a_charge_that_does_not_exist_is_reported()
    {
        var order = await PaidOrderAsync();
        Assert.IsType<ChargeRunResult.Unknown>(await _charges.RunAsync(order.Id, ChargeRules.NewChargeId(_clock.Now), default));
        Assert.IsType<ChargeRunResult.Unknown>(await _charges.RunAsync("ord_0000000000000000000000000000000f", ChargeRules.NewChargeId(_clock.Now), default));
    }
}
