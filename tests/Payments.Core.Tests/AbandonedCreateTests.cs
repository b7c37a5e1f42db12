namespace Payments.Core.Tests;

/// <summary>
/// A create cut off after its order row was written and before its payment session was recorded (a storage outage
/// on the last write): past <see cref="PaymentService.AbandonedClaimAge"/> it gets a definite answer instead of
/// <c>order-in-progress</c> forever: asked again where the provider's create is idempotent, failed otherwise.
/// </summary>
public class AbandonedCreateTests
{
    private readonly TestClock _clock = new(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryOrderStore _store = new();
    private readonly FakeProvider _provider = new();
    private readonly PaymentService _payments;
    private readonly OrderReconciler _reconciler;

    public AbandonedCreateTests()
    {
        _payments = new PaymentService(new ProviderCatalog([_provider]), _store, new InMemoryLookups(), new FakeLinks(), _clock, NullLogger<PaymentService>.Instance);
        _reconciler = new OrderReconciler(_store, _payments, new ReconciliationOptions { MaxOrdersPerRun = 10 }, _clock, NullLogger<OrderReconciler>.Instance);
    }

    private static OrderDraft Draft(string reference = "SO-1")
    {
        var request = Requests.AmountOnly("fake", reference, "10.00");
        return Requests.Draft(request);
    }

    /// <summary>The first create dies after the provider call, before its session is written (as when storage goes away then).</summary>
    private async Task<string> CutOffCreateAsync(string key = "k1")
    {
        var open = _provider.OnCreate;
        _provider.OnCreate = _ => throw new TimeoutException("storage went away");
        await Assert.ThrowsAsync<TimeoutException>(() => _payments.CreateAsync(Draft(), key, default));
        _provider.OnCreate = open;
        var id = Assert.Single(await _store.FindByStatusAsync(PaymentStatus.Pending, DateTimeOffset.MaxValue, 10, default));
        Assert.True((await _store.GetAsync(id, default))!.Order.AwaitingProviderSession);
        return id;
    }

    [Fact]
    public async Task Past_the_takeover_age_a_retried_create_fails_the_order_when_the_provider_cannot_be_asked_again()
    {
        var id = await CutOffCreateAsync();
        Assert.IsType<CreateOrderResult.InProgress>(await _payments.CreateAsync(Draft(), "k1", default));

        _clock.Advance(PaymentService.AbandonedClaimAge + TimeSpan.FromSeconds(1));
        var answer = Assert.IsType<CreateOrderResult.Abandoned>(await _payments.CreateAsync(Draft(), "k1", default));

        Assert.Equal(id, answer.Order.Id);
        Assert.Equal(PaymentStatus.Failed, answer.Order.Status);
        Assert.Null(answer.Order.RedirectUrl);
        Assert.Contains("no shopper can have paid", answer.Order.FailureReason, StringComparison.Ordinal);
        var step = Assert.Single(answer.Order.History);
        Assert.Equal((PaymentStatus.Pending, PaymentStatus.Failed, TransitionSource.Api), (step.From, step.To, step.Source));
        Assert.Equal(1, _provider.Creates);
        Assert.Single(_store.Events);

        // From now on the same key replays the failed order; the provider is never asked again.
        Assert.Equal(PaymentStatus.Failed, Assert.IsType<CreateOrderResult.Replayed>(await _payments.CreateAsync(Draft(), "k1", default)).Order.Status);
        Assert.Equal(1, _provider.Creates);
    }

    [Fact]
    public async Task Past_the_takeover_age_a_retried_create_asks_a_provider_with_an_idempotent_create_again_and_opens_the_order()
    {
        _provider.IdempotentCreate = true;
        var id = await CutOffCreateAsync();

        _clock.Advance(PaymentService.AbandonedClaimAge + TimeSpan.FromSeconds(1));
        var answer = Assert.IsType<CreateOrderResult.Created>(await _payments.CreateAsync(Draft(), "k1", default));

        Assert.Equal(id, answer.Order.Id);
        Assert.Equal(PaymentStatus.Pending, answer.Order.Status);
        Assert.Equal("https://pay.example/" + id, answer.Order.RedirectUrl);
        Assert.Equal(2, _provider.Creates);
        Assert.Equal("https://pay.example/" + id, Assert.IsType<CreateOrderResult.Replayed>(await _payments.CreateAsync(Draft(), "k1", default)).Order.RedirectUrl);
    }

    [Fact]
    public async Task The_reconciliation_run_settles_cut_off_creates_past_the_takeover_age_without_a_retry()
    {
        var old = await CutOffCreateAsync("k-old");
        _clock.Advance(PaymentService.AbandonedClaimAge + TimeSpan.FromSeconds(1));
        var fresh = Assert.IsType<CreateOrderResult.Created>(await _payments.CreateAsync(Draft("SO-2"), "k-fresh", default)).Order;

        var report = await _reconciler.RunAsync(default);

        Assert.Equal(1, report.CreatesResolved);
        var failed = (await _store.GetAsync(old, default))!.Order;
        Assert.Equal(PaymentStatus.Failed, failed.Status);
        Assert.Equal(TransitionSource.Reconcile, Assert.Single(failed.History).Source);
        Assert.Equal(PaymentStatus.Pending, (await _store.GetAsync(fresh.Id, default))!.Order.Status);
        Assert.Equal(0, (await _reconciler.RunAsync(default)).CreatesResolved);
    }

    [Fact]
    public async Task A_create_cut_off_less_than_the_takeover_age_ago_is_left_to_finish()
    {
        var id = await CutOffCreateAsync();
        _clock.Advance(PaymentService.AbandonedClaimAge - TimeSpan.FromSeconds(1));

        Assert.Equal(0, (await _reconciler.RunAsync(default)).CreatesResolved);
        Assert.IsType<CreateOrderResult.InProgress>(await _payments.CreateAsync(Draft(), "k1", default));
        Assert.True((await _store.GetAsync(id, default))!.Order.AwaitingProviderSession);
    }

    [Fact]
    public async Task A_slow_first_create_that_finishes_after_its_order_was_failed_does_not_hand_out_its_payment_page()
    {
        var release = new TaskCompletionSource();
        var entered = new TaskCompletionSource();
        _provider.BeforeCreate = async _ =>
        {
            entered.TrySetResult();
            await release.Task;
        };
        var first = _payments.CreateAsync(Draft(), "k1", default);
        await entered.Task;

        _clock.Advance(PaymentService.AbandonedClaimAge + TimeSpan.FromSeconds(1));
        var failed = Assert.IsType<CreateOrderResult.Abandoned>(await _payments.CreateAsync(Draft(), "k1", default));
        release.SetResult();

        var late = Assert.IsType<CreateOrderResult.Abandoned>(await first);
        Assert.Equal(failed.Order.Id, late.Order.Id);
        var stored = (await _store.GetAsync(failed.Order.Id, default))!.Order;
        Assert.Equal(PaymentStatus.Failed, stored.Status);
        Assert.Null(stored.RedirectUrl);
    }

    /// <summary>Inserts, then answers "exists already", as a retried insert does when the first attempt's answer was lost.</summary>
    private sealed class LostInsertAnswer(InMemoryOrderStore inner) : IOrderStore
    {
        public Task<StoredOrder?> GetAsync(string orderId, CancellationToken cancellationToken) => inner.GetAsync(orderId, cancellationToken);

        public async Task<StoredOrder?> TryInsertAsync(Order order, CancellationToken cancellationToken)
        {
            await inner.TryInsertAsync(order, cancellationToken);
            return null;
        }

        public Task<StoredOrder?> TryReplaceAsync(StoredOrder current, Order updated, IReadOnlyList<Events.PaymentEvent> events, CancellationToken cancellationToken) =>
            inner.TryReplaceAsync(current, updated, events, cancellationToken);
    }

    [Fact]
    public async Task An_insert_whose_first_answer_was_lost_still_opens_the_order_instead_of_leaving_it_in_progress()
    {
        var payments = new PaymentService(new ProviderCatalog([_provider]), new LostInsertAnswer(_store), new InMemoryLookups(), new FakeLinks(), _clock,
            NullLogger<PaymentService>.Instance);

        var created = Assert.IsType<CreateOrderResult.Created>(await payments.CreateAsync(Draft(), "k1", default));

        Assert.Equal("https://pay.example/" + created.Order.Id, created.Order.RedirectUrl);
        Assert.Equal(1, _provider.Creates);
    }
}
