using Payments.Core.Refunds;

namespace Payments.Core.Tests;

/// <summary>Refunds move money exactly once: claimed before the call, one sender, one refund of an order at a time, lost answers read back.</summary>
public sealed class RefundServiceTests
{
    private readonly TestClock _clock = new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly FlakyStore _store = new(new InMemoryOrderStore());
    private readonly OperationsProvider _provider = new();
    private readonly PaymentService _payments;
    private readonly RefundService _refunds;
    private readonly ProviderCatalog _catalog;
    private int _orders;

    public RefundServiceTests()
    {
        _catalog = new ProviderCatalog([_provider]);
        _payments = new PaymentService(_catalog, _store, new InMemoryLookups(), new FakeLinks(), _clock, NullLogger<PaymentService>.Instance);
        _refunds = NewInstance();
    }

    /// <summary>Another instance of the app: same store, its own locks.</summary>
    private RefundService NewInstance() => new(_catalog, _payments, _store, _store.Inner, _clock, NullLogger<RefundService>.Instance);

    private async Task<string> PaidOrderAsync(string amount = "100.00")
    {
        var key = $"SO-{Interlocked.Increment(ref _orders)}";
        var request = Requests.AmountOnly("ops", key, amount);
        var draft = Requests.Draft(request);
        var order = Assert.IsType<CreateOrderResult.Created>(await _payments.CreateAsync(draft, key, default)).Order;
        var paid = await _payments.ApplyAsync(order.Id, new ProviderPaymentState(PaymentStatus.Succeeded, "paid", null, null), TransitionSource.Return, default);
        Assert.Equal(PaymentStatus.Succeeded, paid.Status);
        return order.Id;
    }

    private async Task<Order> OrderAsync(string id) => (await _store.GetAsync(id, default))!.Order;

    [Fact]
    public async Task Partial_refunds_accumulate_to_refunded_and_never_exceed_the_amount()
    {
        var id = await PaidOrderAsync();
        var first = Assert.IsType<OperationResult.Done>(await _refunds.RefundAsync(id, 3000, RefundReasons.RequestedByCustomer, null, null, default));
        Assert.Equal(PaymentStatus.PartiallyRefunded, first.Order.Status);
        Assert.Equal(3000, first.Order.RefundedMinor);

        var tooMuch = Assert.IsType<OperationResult.Unprocessable>(await _refunds.RefundAsync(id, 7001, null, null, null, default));
        Assert.Equal("amount", tooMuch.Field);

        var rest = Assert.IsType<OperationResult.Done>(await _refunds.RefundAsync(id, null, null, null, null, default));
        Assert.Equal(PaymentStatus.Refunded, rest.Order.Status);
        Assert.Equal(10000, rest.Order.RefundedMinor);
        Assert.Equal(2, _provider.Refunds);
        Assert.IsType<OperationResult.InvalidState>(await _refunds.RefundAsync(id, 1, null, null, null, default));
    }

    [Fact]
    public async Task The_same_idempotency_key_refunds_once_and_answers_the_same_record()
    {
        var id = await PaidOrderAsync();
        var a = Assert.IsType<OperationResult.Done>(await _refunds.RefundAsync(id, 1000, null, "first", "r-1", default));
        var b = Assert.IsType<OperationResult.Done>(await _refunds.RefundAsync(id, 1000, null, "first", "r-1", default));
        Assert.Equal(1, _provider.Refunds);
        Assert.Equal(a.Order.Refunds, b.Order.Refunds);
        Assert.Equal("first", Assert.Single(b.Order.Refunds).Comment);
    }

    /// <summary>The defect: 20 identical refunds at once each saw "requested" and sent again (13 refunds at NEXT for one).</summary>
    [Fact]
    public async Task Concurrent_duplicates_with_one_key_send_once_on_one_instance_and_across_instances()
    {
        for (var round = 0; round < 20; round++)
        {
            var id = await PaidOrderAsync();
            var before = _provider.Refunds;
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _provider.OnRefund = async r =>
            {
                await gate.Task;
                return new ProviderRefundResult("pr-" + r.RefundId, RefundOutcome.Succeeded, "refunded", null);
            };

            var instances = new[] { _refunds, NewInstance(), NewInstance() };
            var calls = Enumerable.Range(0, 20).Select(i => Task.Run(() => instances[i % 3].RefundAsync(id, 1000, null, null, "same-key", default))).ToList();
            await Task.Delay(20);
            gate.SetResult();
            var results = await Task.WhenAll(calls);

            Assert.Equal(1, _provider.Refunds - before);
            Assert.All(results, r => Assert.True(r is OperationResult.Done or OperationResult.RefundInFlight, r.GetType().Name));
            var order = await OrderAsync(id);
            var refund = Assert.Single(order.Refunds);
            Assert.Equal((RefundRecordOutcome.Succeeded, 1000L), (refund.Outcome, order.RefundedMinor));
        }
    }

    /// <summary>The defect: 20 different refunds at once answered 500 (the order kept changing under 8 write attempts).</summary>
    [Fact]
    public async Task Concurrent_different_refunds_on_one_instance_are_sent_one_at_a_time_and_all_recorded()
    {
        for (var round = 0; round < 10; round++)
        {
            var id = await PaidOrderAsync();
            var sent = 0L;
            _provider.OnRefund = async r =>
            {
                await Task.Delay(1);
                Interlocked.Add(ref sent, r.AmountMinor);
                return new ProviderRefundResult("pr-" + r.RefundId, RefundOutcome.Succeeded, "refunded", null);
            };

            var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => _refunds.RefundAsync(id, 400 + i, null, null, null, default))));

            Assert.All(results, r => Assert.IsType<OperationResult.Done>(r));
            var order = await OrderAsync(id);
            Assert.Equal(20, order.Refunds.Count(r => r.Outcome == RefundRecordOutcome.Succeeded));
            Assert.Equal(sent, order.Refunds.Sum(r => r.AmountMinor));
        }
    }

    [Fact]
    public async Task Another_instance_is_told_refund_in_progress_and_writes_nothing()
    {
        var id = await PaidOrderAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _provider.OnRefund = async r =>
        {
            await gate.Task;
            return new ProviderRefundResult("pr", RefundOutcome.Succeeded, "refunded", null);
        };

        var first = Task.Run(() => _refunds.RefundAsync(id, 1000, null, null, "a", default));
        while ((await OrderAsync(id)).Refunds.Count == 0)
        {
            await Task.Delay(5);
        }

        var other = NewInstance();
        var busy = Assert.IsType<OperationResult.RefundBusy>(await other.RefundAsync(id, 500, null, null, "b", default));
        Assert.True(busy.RetryAfter > TimeSpan.Zero);
        Assert.Single((await OrderAsync(id)).Refunds);
        var same = Assert.IsType<OperationResult.RefundInFlight>(await other.RefundAsync(id, 1000, null, null, "a", default));
        Assert.Equal(RefundRecordOutcome.Requested, same.Refund.Outcome);

        gate.SetResult();
        Assert.IsType<OperationResult.Done>(await first);
        Assert.IsType<OperationResult.Done>(await other.RefundAsync(id, 500, null, null, "b", default));
        Assert.Equal(2, _provider.Refunds);
    }

    [Fact]
    public async Task A_lost_answer_is_never_sent_again_and_is_settled_from_the_providers_records_after_the_lease()
    {
        var id = await PaidOrderAsync();
        _provider.OnRefund = _ => throw new ProviderException("ops", ProviderFailure.Timeout, "ops did not answer");
        var lost = Assert.IsType<OperationResult.RefundInFlight>(await _refunds.RefundAsync(id, 4000, null, null, "r-9", default));
        Assert.Equal(RefundRecordOutcome.Requested, lost.Refund.Outcome);

        // The merchant retries at once: the same record, no second send, no read yet.
        Assert.IsType<OperationResult.RefundInFlight>(await _refunds.RefundAsync(id, 4000, null, null, "r-9", default));
        Assert.IsType<OperationResult.RefundBusy>(await _refunds.RefundAsync(id, 100, null, null, "other", default));
        Assert.Equal((1, 0), (_provider.Refunds, _provider.Finds));

        _provider.OnFind = r => Task.FromResult<ProviderRefundResult?>(new ProviderRefundResult(null, RefundOutcome.Succeeded, "refunded", null));
        _clock.Advance(RefundRules.SendLease);
        var done = Assert.IsType<OperationResult.Done>(await _refunds.RefundAsync(id, 4000, null, null, "r-9", default));
        Assert.Equal(RefundRecordOutcome.Succeeded, Assert.Single(done.Order.Refunds).Outcome);
        Assert.Equal(PaymentStatus.PartiallyRefunded, done.Order.Status);
        Assert.Equal((1, 1), (_provider.Refunds, _provider.Finds));
    }

    [Fact]
    public async Task A_lost_answer_the_provider_cannot_tell_is_marked_unknown_and_keeps_its_amount_held()
    {
        var id = await PaidOrderAsync();
        _provider.OnRefund = _ => throw new ProviderException("ops", ProviderFailure.Unavailable, "ops broke mid-call");
        Assert.IsType<OperationResult.RefundInFlight>(await _refunds.RefundAsync(id, 10000, null, null, "all", default));

        _clock.Advance(RefundRules.SendLease + TimeSpan.FromSeconds(1));
        var report = await _refunds.SweepAsync(default);

        Assert.Equal(new RefundSweepReport(1, 0, 1, 0), report);
        var order = await OrderAsync(id);
        Assert.Equal(RefundRecordOutcome.Unknown, Assert.Single(order.Refunds).Outcome);
        Assert.Equal(10000, order.RefundedMinor);
        Assert.IsType<OperationResult.Unprocessable>(await _refunds.RefundAsync(id, 1, null, null, null, default));
        Assert.Equal(1, _provider.Refunds);
    }

    [Fact]
    public async Task Another_refund_first_settles_a_stale_one_and_then_goes_ahead()
    {
        var id = await PaidOrderAsync();
        _provider.OnRefund = _ => throw new ProviderException("ops", ProviderFailure.Timeout, "ops did not answer");
        Assert.IsType<OperationResult.RefundInFlight>(await _refunds.RefundAsync(id, 2000, null, null, null, default));

        _clock.Advance(RefundRules.SendLease);
        _provider.OnFind = _ => Task.FromResult<ProviderRefundResult?>(new ProviderRefundResult(null, RefundOutcome.Failed, "paid", "not carried out"));
        _provider.OnRefund = r => Task.FromResult(new ProviderRefundResult("pr", RefundOutcome.Succeeded, "refunded", null));
        var done = Assert.IsType<OperationResult.Done>(await _refunds.RefundAsync(id, 3000, null, null, null, default));

        Assert.Equal([RefundRecordOutcome.Failed, RefundRecordOutcome.Succeeded], done.Order.Refunds.Select(r => r.Outcome));
        Assert.Equal(3000, done.Order.RefundedMinor);
    }

    [Fact]
    public async Task A_refund_that_never_left_takes_its_claim_back_so_the_same_request_sends_it()
    {
        var id = await PaidOrderAsync();
        _provider.OnRefund = _ => throw new ProviderException("ops", ProviderFailure.Unavailable, "circuit open", notSent: true);
        var failed = Assert.IsType<OperationResult.ProviderFailed>(await _refunds.RefundAsync(id, 4000, null, null, "r-2", default));
        Assert.True(failed.Error.NotSent);
        Assert.Empty((await OrderAsync(id)).Refunds);

        _provider.OnRefund = r => Task.FromResult(new ProviderRefundResult("pr", RefundOutcome.Succeeded, "refunded", null));
        var done = Assert.IsType<OperationResult.Done>(await _refunds.RefundAsync(id, 4000, null, null, "r-2", default));
        Assert.Equal(RefundRecordOutcome.Succeeded, Assert.Single(done.Order.Refunds).Outcome);
    }

    [Fact]
    public async Task A_refused_refund_is_recorded_failed_and_frees_its_amount()
    {
        var id = await PaidOrderAsync();
        _provider.OnRefund = _ => throw new ProviderException("ops", ProviderFailure.Rejected, "ops refused the refund");
        var failed = Assert.IsType<OperationResult.ProviderFailed>(await _refunds.RefundAsync(id, 4000, null, null, null, default));
        Assert.Equal(RefundRecordOutcome.Failed, Assert.Single(failed.Order.Refunds).Outcome);
        Assert.Equal(0, failed.Order.RefundedMinor);
        Assert.Equal(PaymentStatus.Succeeded, failed.Order.Status);
    }

    /// <summary>The money moved but its record could not be written: no error for the caller, the sweep reads it back.</summary>
    [Fact]
    public async Task A_settlement_that_cannot_be_written_is_in_flight_and_the_sweep_settles_it()
    {
        var id = await PaidOrderAsync();
        _provider.OnRefund = r =>
        {
            _store.FailWrites = true;
            return Task.FromResult(new ProviderRefundResult("pr", RefundOutcome.Succeeded, "refunded", null));
        };
        var answer = Assert.IsType<OperationResult.RefundInFlight>(await _refunds.RefundAsync(id, 2500, null, null, null, default));
        Assert.Equal(RefundRecordOutcome.Requested, answer.Refund.Outcome);

        _store.FailWrites = false;
        Assert.Equal(new RefundSweepReport(0, 0, 0, 0), await _refunds.SweepAsync(default));
        _clock.Advance(RefundRules.SendLease);
        _provider.OnFind = _ => Task.FromResult<ProviderRefundResult?>(new ProviderRefundResult(null, RefundOutcome.Succeeded, "refunded", null));
        Assert.Equal(new RefundSweepReport(1, 1, 0, 0), await _refunds.SweepAsync(default));

        var order = await OrderAsync(id);
        Assert.Equal((RefundRecordOutcome.Succeeded, PaymentStatus.PartiallyRefunded), (Assert.Single(order.Refunds).Outcome, order.Status));
        Assert.Equal(1, _provider.Refunds);
    }

    [Theory]
    [InlineData(0, 0, RefundOutcome.Failed)]
    [InlineData(0, 500, RefundOutcome.Succeeded)]
    [InlineData(0, 499, null)]
    [InlineData(300, 300, RefundOutcome.Failed)]
    [InlineData(300, 800, RefundOutcome.Succeeded)]
    [InlineData(300, 1000, null)]
    public void The_refunded_total_tells_only_an_exact_match(long succeededBefore, long atProvider, RefundOutcome? expected)
    {
        var refunds = new List<RefundRecord>();
        if (succeededBefore > 0)
        {
            refunds.Add(new RefundRecord("rfd_a", succeededBefore, null, RefundRecordOutcome.Succeeded, DateTimeOffset.UnixEpoch));
        }

        refunds.Add(new RefundRecord("rfd_b", 200, null, RefundRecordOutcome.Failed, DateTimeOffset.UnixEpoch));
        var inFlight = new RefundRecord("rfd_c", 500, null, RefundRecordOutcome.Requested, DateTimeOffset.UnixEpoch);
        refunds.Add(inFlight);
        var order = new Order
        {
            Id = "ord_1",
            Provider = "ops",
            MerchantReference = "m",
            Amount = new Money.Money(10000, Money.Currency.Chf),
            SuccessUrl = "https://s",
            FailureUrl = "https://f",
            Refunds = refunds,
        };

        Assert.Equal(expected, RefundRules.FromRefundedTotal(order, inFlight, atProvider));
        var pending = order with { Refunds = [.. refunds, new RefundRecord("rfd_d", 1, null, RefundRecordOutcome.Pending, DateTimeOffset.UnixEpoch)] };
        Assert.Null(RefundRules.FromRefundedTotal(pending, inFlight, atProvider));
    }

    /// <summary>An order store whose replaces fail on demand, as a storage outage would.</summary>
    private sealed class FlakyStore(InMemoryOrderStore inner) : IOrderStore
    {
        public InMemoryOrderStore Inner => inner;

        public volatile bool FailWrites;

        public Task<StoredOrder?> GetAsync(string orderId, CancellationToken cancellationToken) => inner.GetAsync(orderId, cancellationToken);

        public Task<StoredOrder?> TryInsertAsync(Order order, CancellationToken cancellationToken) => inner.TryInsertAsync(order, cancellationToken);

        public Task<StoredOrder?> TryReplaceAsync(StoredOrder current, Order updated, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken) =>
            FailWrites ? throw new IOException("storage is down (test)") : inner.TryReplaceAsync(current, updated, events, cancellationToken);
    }
}
