namespace Payments.Core.Tests;

public class PaymentServiceTests
{
    private readonly InMemoryOrderStore _store = new();
    private readonly InMemoryLookups _lookups = new();
    private readonly FakeProvider _provider = new();
    private readonly PaymentService _service;

    public PaymentServiceTests()
    {
        _service = new PaymentService(new ProviderCatalog([_provider]), _store, _lookups, new FakeLinks(), TimeProvider.System,
            NullLogger<PaymentService>.Instance);
    }

    private static OrderDraft Draft(string reference = "SO-1", string amount = "10.00")
    {
        var request = Requests.AmountOnly("fake", reference, amount);
        var (draft, issues) = Requests.Validate(request);
        Assert.Empty(issues);
        return draft!;
    }

    [Fact]
    public async Task Create_opens_the_provider_session_and_stores_where_to_send_the_shopper()
    {
        var result = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default));
        Assert.Equal(PaymentStatus.Pending, result.Order.Status);
        Assert.Equal("https://pay.example/" + result.Order.Id, result.Order.RedirectUrl);
        Assert.Equal(result.Order.Id, await _lookups.FindOrderIdAsync("fake", "ref-" + result.Order.Id, default));
        Assert.Equal(result.Order, (await _store.GetAsync(result.Order.Id, default))!.Order);
    }

    [Fact]
    public async Task Settling_an_order_as_it_was_read_writes_with_that_ETag_without_reading_again()
    {
        var created = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default)).Order;
        var read = (await _store.GetAsync(created.Id, default))!;
        var reads = _store.Reads;

        var settled = await _service.SettleAsync(read, evidence: null, TransitionSource.Return, default);

        Assert.Equal(PaymentStatus.Succeeded, settled.Status);
        Assert.Equal(reads, _store.Reads);
        Assert.Single(_store.Events);
    }

    [Fact]
    public async Task Settling_an_order_read_before_someone_else_changed_it_reads_again_and_decides_on_the_current_order()
    {
        var created = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default)).Order;
        var stale = (await _store.GetAsync(created.Id, default))!;

        // Another instance settles it first (cancelled); the stale copy's write loses the race (412).
        var other = new PaymentService(new ProviderCatalog([_provider]), _store, _lookups, new FakeLinks(), TimeProvider.System,
            NullLogger<PaymentService>.Instance);
        _provider.OnConfirm = _ => Task.FromResult(new ProviderPaymentState(PaymentStatus.Cancelled, "cancelled", null, null));
        Assert.Equal(PaymentStatus.Cancelled, (await other.SettleAsync(created.Id, null, TransitionSource.Webhook, default))!.Status);
        _provider.OnConfirm = _ => Task.FromResult(new ProviderPaymentState(PaymentStatus.Succeeded, "paid", null, null));

        var settled = await _service.SettleAsync(stale, evidence: null, TransitionSource.Return, default);

        // Decided again on the order as it is now: cancelled is terminal, so the later "paid" is not written over it.
        Assert.Equal(PaymentStatus.Cancelled, settled.Status);
        Assert.Equal(settled, (await _store.GetAsync(created.Id, default))!.Order);
        Assert.Single(_store.Events);
    }

    [Fact]
    public async Task The_same_key_and_body_replays_the_order_without_a_second_provider_call()
    {
        var first = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default));
        var again = Assert.IsType<CreateOrderResult.Replayed>(await _service.CreateAsync(Draft(), "k1", default));
        Assert.Equal(first.Order.Id, again.Order.Id);
        Assert.Equal(1, _provider.Creates);
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_refused()
    {
        var first = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default));
        var reused = Assert.IsType<CreateOrderResult.KeyReused>(await _service.CreateAsync(Draft(amount: "11.00"), "k1", default));
        Assert.Equal(first.Order.Id, reused.OrderId);
        Assert.Equal(1, _provider.Creates);
    }

    [Fact]
    public async Task Concurrent_creates_with_one_key_make_one_order()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _service.CreateAsync(Draft(), "k1", default))));
        Assert.Equal(1, _provider.Creates);
        Assert.Single(results.OfType<CreateOrderResult.Created>());
        Assert.All(results, r => Assert.True(r is CreateOrderResult.Created or CreateOrderResult.Replayed or CreateOrderResult.InProgress));
    }

    [Fact]
    public async Task A_provider_failure_records_the_order_as_failed_with_the_reason()
    {
        _provider.OnCreate = _ => throw new ProviderException("fake", ProviderFailure.Unavailable, "fake answered 503");
        var failed = Assert.IsType<CreateOrderResult.ProviderFailed>(await _service.CreateAsync(Draft(), "k1", default));
        var stored = (await _store.GetAsync(failed.Order.Id, default))!.Order;
        Assert.Equal(PaymentStatus.Failed, stored.Status);
        Assert.Equal("fake answered 503", stored.FailureReason);
        var transition = Assert.Single(stored.History);
        Assert.Equal(TransitionSource.Api, transition.Source);
        Assert.Single(_store.Events);
    }

    [Fact]
    public async Task Fifty_concurrent_settlements_record_exactly_one_transition()
    {
        var order = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default)).Order;
        var gate = new TaskCompletionSource();
        _provider.OnConfirm = async _ =>
        {
            await gate.Task;
            return new ProviderPaymentState(PaymentStatus.Succeeded, "paid", "ref-" + order.Id, null);
        };

        var settles = Enumerable.Range(0, 50).Select(_ => Task.Run(() => _service.SettleAsync(order.Id, null, TransitionSource.Return, default))).ToList();
        await Task.Delay(50);
        gate.SetResult();
        var results = await Task.WhenAll(settles);

        Assert.All(results, r => Assert.Equal(PaymentStatus.Succeeded, r!.Status));
        var stored = (await _store.GetAsync(order.Id, default))!.Order;
        Assert.Single(stored.History);
        Assert.Single(_store.Events);
    }

    [Fact]
    public async Task Racing_writers_on_separate_instances_still_record_one_transition()
    {
        // Two service instances share the store (two Function App instances): only the ETag guard protects.
        var order = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default)).Order;
        var services = Enumerable.Range(0, 10).Select(_ => new PaymentService(new ProviderCatalog([_provider]), _store, _lookups, new FakeLinks(),
            TimeProvider.System, NullLogger<PaymentService>.Instance)).ToList();
        await Task.WhenAll(services.Select(s => Task.Run(() => s.ApplyAsync(order.Id,
            new ProviderPaymentState(PaymentStatus.Succeeded, "paid", null, null), TransitionSource.Webhook, default))));
        Assert.Single((await _store.GetAsync(order.Id, default))!.Order.History);
        Assert.Single(_store.Events);
    }

    [Fact]
    public async Task A_terminal_order_is_not_overwritten_and_not_even_asked_about()
    {
        var order = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default)).Order;
        _provider.OnConfirm = _ => Task.FromResult(new ProviderPaymentState(PaymentStatus.Failed, "failed", null, "declined"));
        Assert.Equal(PaymentStatus.Failed, (await _service.SettleAsync(order.Id, null, TransitionSource.Return, default))!.Status);

        _provider.OnConfirm = _ => Task.FromResult(new ProviderPaymentState(PaymentStatus.Succeeded, "paid", null, null));
        var confirmsBefore = _provider.Confirms;
        Assert.Equal(PaymentStatus.Failed, (await _service.SettleAsync(order.Id, null, TransitionSource.Webhook, default))!.Status);
        Assert.Equal(confirmsBefore, _provider.Confirms);
        var applied = await _service.ApplyAsync(order.Id, new ProviderPaymentState(PaymentStatus.Succeeded, "paid", null, null), TransitionSource.Webhook, default);
        Assert.Equal(PaymentStatus.Failed, applied.Status);
    }

    [Fact]
    public async Task An_unknown_provider_status_changes_nothing_but_is_kept()
    {
        var order = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default)).Order;
        var after = await _service.ApplyAsync(order.Id, new ProviderPaymentState(null, "weird_new_status", null, null), TransitionSource.Webhook, default);
        Assert.Equal(PaymentStatus.Pending, after.Status);
        Assert.Equal("weird_new_status", after.ProviderStatus);
        Assert.Empty(after.History);
        Assert.Empty(_store.Events);
    }

    [Fact]
    public void Order_ids_are_recognised_strictly()
    {
        var id = PaymentService.NewOrderId(DateTimeOffset.UtcNow);
        Assert.True(PaymentService.IsOrderId(id));
        Assert.False(PaymentService.IsOrderId(id.ToUpperInvariant()));
        Assert.False(PaymentService.IsOrderId("ord_" + new string('g', 32)));
        Assert.False(PaymentService.IsOrderId("ord_/../x"));
    }
}
