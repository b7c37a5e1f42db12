using Microsoft.Extensions.Logging;

namespace Payments.Core.Tests;

/// <summary>
/// A provider reference another order holds already (a provider or sandbox that reused it): logged naming both orders,
/// never an exception; not settled on, and at create the session is not handed out.
/// </summary>
public sealed class ProviderReferenceConflictTests
{
    private readonly InMemoryOrderStore _store = new();
    private readonly InMemoryLookups _lookups = new();
    private readonly FakeProvider _provider = new();
    private readonly ListLogger _logger = new();
    private readonly PaymentService _service;

    public ProviderReferenceConflictTests()
    {
        _service = new PaymentService(new ProviderCatalog([_provider]), _store, _lookups, new FakeLinks(), TimeProvider.System, _logger);
    }

    private static OrderDraft Draft()
    {
        var request = Requests.AmountOnly("fake", "SO-1", "10.00");
        var (draft, issues) = Requests.Validate(request);
        Assert.Empty(issues);
        return draft!;
    }

    private void AssertConflictLogged(string orderId, string linkedOrderId, string reference) =>
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("conflict", StringComparison.OrdinalIgnoreCase)
            && e.Message.Contains(orderId, StringComparison.Ordinal) && e.Message.Contains(linkedOrderId, StringComparison.Ordinal)
            && e.Message.Contains(reference, StringComparison.Ordinal));

    [Fact]
    public async Task A_confirmed_reference_another_order_holds_is_not_settled_on_the_order_is_unchanged_and_the_conflict_warned_naming_both()
    {
        _provider.OnCreate = r => new ProviderSession(null, "https://pay.example/" + r.Order.Id, null, new Dictionary<string, string>());
        var order = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default)).Order;
        var before = (await _store.GetAsync(order.Id, default))!;
        Assert.Null(await _lookups.LinkProviderReferenceAsync("fake", "100001", "ord_older", default));

        var answered = await _service.ApplyAsync(order.Id, new ProviderPaymentState(PaymentStatus.Succeeded, "paid", "100001", null), TransitionSource.Return, default);

        // Which order the reference pays for is not ours to guess: the order stays as it was (same row, same ETag), and
        // the caller answers with that (the return's 303 with the status we know, the webhook's 200).
        Assert.Equal(before.Order, answered);
        Assert.Equal(PaymentStatus.Pending, answered.Status);
        Assert.Null(answered.ProviderReference);
        Assert.Equal(before, await _store.GetAsync(order.Id, default));
        Assert.Empty(_store.Events);
        Assert.Equal("ord_older", await _lookups.FindOrderIdAsync("fake", "100001", default));
        AssertConflictLogged(order.Id, "ord_older", "100001");
    }

    [Fact]
    public async Task A_provider_without_a_reference_lookup_settles_from_its_confirmation_and_writes_no_link()
    {
        _provider.LinksReferences = false;
        _provider.OnCreate = r => new ProviderSession(null, "https://pay.example/" + r.Order.Id, null, new Dictionary<string, string>());
        var order = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default)).Order;
        Assert.Null(await _lookups.LinkProviderReferenceAsync("fake", "100001", "ord_older", default));

        // NEXT: the confirmation checked NEXT's order against this one (metadata, currency, total); no lookup is consulted.
        var settled = await _service.ApplyAsync(order.Id, new ProviderPaymentState(PaymentStatus.Succeeded, "paid", "100001", null), TransitionSource.Return, default);

        Assert.Equal(PaymentStatus.Succeeded, settled.Status);
        Assert.Equal("100001", settled.ProviderReference);
        Assert.Equal("ord_older", await _lookups.FindOrderIdAsync("fake", "100001", default));
        Assert.DoesNotContain(_logger.Entries, e => e.Message.Contains("conflict", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_session_reference_another_order_holds_fails_the_create_hands_nothing_out_and_warns_naming_both()
    {
        _provider.OnCreate = r => new ProviderSession("reused-1", "https://pay.example/" + r.Order.Id, null, new Dictionary<string, string>());
        Assert.Null(await _lookups.LinkProviderReferenceAsync("fake", "reused-1", "ord_older", default));

        var conflict = Assert.IsType<CreateOrderResult.ReferenceConflict>(await _service.CreateAsync(Draft(), "k1", default));

        Assert.Equal(("reused-1", "ord_older"), (conflict.ProviderReference, conflict.LinkedOrderId));
        Assert.Equal(PaymentStatus.Failed, conflict.Order.Status);
        Assert.Null(conflict.Order.RedirectUrl);
        Assert.False(conflict.Order.AwaitingProviderSession);
        Assert.Contains("another order", conflict.Order.FailureReason, StringComparison.Ordinal);
        Assert.Equal(conflict.Order, (await _store.GetAsync(conflict.Order.Id, default))!.Order);
        Assert.Equal("ord_older", await _lookups.FindOrderIdAsync("fake", "reused-1", default));
        AssertConflictLogged(conflict.Order.Id, "ord_older", "reused-1");

        // The same request again: the failed order, still without a payment page, and no second provider create.
        var replayed = Assert.IsType<CreateOrderResult.Replayed>(await _service.CreateAsync(Draft(), "k1", default));
        Assert.Equal(conflict.Order, replayed.Order);
        Assert.Equal(1, _provider.Creates);
    }

    private sealed class ListLogger : ILogger<PaymentService>
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

        public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
