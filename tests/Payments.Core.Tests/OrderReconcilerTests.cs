namespace Payments.Core.Tests;

/// <summary>The Reconcile timer: pending orders past their session are asked about, settled, or expired once hopeless.</summary>
public class OrderReconcilerTests
{
    private readonly TestClock _clock = new(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryOrderStore _store = new();
    private readonly FakeProvider _provider = new();
    private readonly PaymentService _payments;
    private readonly OrderReconciler _reconciler;
    private readonly ReconciliationOptions _options = new() { PendingAfter = TimeSpan.FromMinutes(20), ExpireAfter = TimeSpan.FromHours(1), MaxOrdersPerRun = 2 };

    public OrderReconcilerTests()
    {
        _payments = new PaymentService(new ProviderCatalog([_provider]), _store, new InMemoryLookups(), new FakeLinks(), _clock, NullLogger<PaymentService>.Instance);
        _reconciler = new OrderReconciler(_store, _payments, _options, _clock, NullLogger<OrderReconciler>.Instance);
        _provider.OnCreate = r => new ProviderSession("ref-" + r.Order.Id, "https://pay.example/x", _clock.Now + TimeSpan.FromMinutes(15), new Dictionary<string, string>());
    }

    private async Task<Order> PendingAsync(string reference)
    {
        var request = Requests.Order() with { Provider = "fake", MerchantReference = reference };
        var draft = Requests.Draft(request);
        return Assert.IsType<CreateOrderResult.Created>(await _payments.CreateAsync(draft, reference, default)).Order;
    }

    [Fact]
    public async Task A_pending_order_is_left_alone_during_its_session_and_settled_by_what_the_provider_says_after()
    {
        var order = await PendingAsync("SO-1");
        _clock.Advance(TimeSpan.FromMinutes(19));
        Assert.Equal(0, (await _reconciler.RunAsync(default)).Checked);
        Assert.Equal(0, _provider.Confirms);

        _clock.Advance(TimeSpan.FromMinutes(2));
        var report = await _reconciler.RunAsync(default);

        Assert.Equal(new ReconciliationReport(1, 1, 0, 0), report);
        var settled = (await _store.GetAsync(order.Id, default))!.Order;
        Assert.Equal(PaymentStatus.Succeeded, settled.Status);
        Assert.Equal(TransitionSource.Reconcile, Assert.Single(settled.History).Source);
    }

    [Fact]
    public async Task An_order_the_provider_never_decides_is_expired_an_hour_after_its_session_ended()
    {
        var order = await PendingAsync("SO-1");
        _provider.OnConfirm = _ => Task.FromResult(new ProviderPaymentState(null, null, null, "no number known"));

        _clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromMinutes(59));
        Assert.Equal(new ReconciliationReport(1, 0, 0, 0), await _reconciler.RunAsync(default));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new ReconciliationReport(1, 0, 1, 0), await _reconciler.RunAsync(default));

        var expired = (await _store.GetAsync(order.Id, default))!.Order;
        Assert.Equal(PaymentStatus.Expired, expired.Status);
        Assert.Equal(TransitionSource.Reconcile, Assert.Single(expired.History).Source);
        Assert.Single(_store.Events);
    }

    [Fact]
    public async Task A_provider_failure_never_expires_and_the_work_per_run_is_bounded()
    {
        for (var i = 0; i < 3; i++)
        {
            await PendingAsync($"SO-{i}");
        }

        _provider.OnConfirm = _ => throw new ProviderException("fake", ProviderFailure.Unavailable, "down");
        _clock.Advance(TimeSpan.FromDays(1));

        Assert.Equal(new ReconciliationReport(2, 0, 0, 2), await _reconciler.RunAsync(default));
        Assert.Empty(_store.Events);
    }
}
