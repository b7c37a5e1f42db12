using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Payments.Core.Orders;
using Payments.Core.Providers;

namespace Payments.Core.Tests;

/// <summary>A provider reference another order holds already (a provider or sandbox that reused it): logged, never a failure.</summary>
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
        var request = OrderRequestValidatorTests.Valid() with { Provider = "fake", MerchantReference = "SO-1", Amount = "10.00", Items = null };
        var (draft, issues) = OrderRequestValidator.Validate(request, new OrderRequestRules(new HashSet<string> { "fake" }, ["https://shop.example"]));
        Assert.Empty(issues);
        return draft!;
    }

    private void AssertConflictLogged(string orderId, string linkedOrderId, string reference) =>
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("conflict", StringComparison.OrdinalIgnoreCase)
            && e.Message.Contains(orderId, StringComparison.Ordinal) && e.Message.Contains(linkedOrderId, StringComparison.Ordinal)
            && e.Message.Contains(reference, StringComparison.Ordinal));

    [Fact]
    public async Task A_confirmed_reference_another_order_holds_still_settles_the_order_and_warns_naming_both()
    {
        _provider.OnCreate = r => new ProviderSession(null, "https://pay.example/" + r.Order.Id, null, new Dictionary<string, string>());
        var order = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default)).Order;
        Assert.Null(await _lookups.LinkProviderReferenceAsync("fake", "100001", "ord_older", default));

        var settled = await _service.ApplyAsync(order.Id, new ProviderPaymentState(PaymentStatus.Succeeded, "paid", "100001", null), TransitionSource.Return, default);

        Assert.Equal(PaymentStatus.Succeeded, settled.Status);
        Assert.Equal("100001", settled.ProviderReference);
        Assert.Equal(settled, (await _store.GetAsync(order.Id, default))!.Order);
        Assert.Equal("ord_older", await _lookups.FindOrderIdAsync("fake", "100001", default));
        AssertConflictLogged(order.Id, "ord_older", "100001");
    }

    [Fact]
    public async Task A_session_reference_another_order_holds_still_opens_the_order_and_warns_naming_both()
    {
        _provider.OnCreate = r => new ProviderSession("reused-1", "https://pay.example/" + r.Order.Id, null, new Dictionary<string, string>());
        Assert.Null(await _lookups.LinkProviderReferenceAsync("fake", "reused-1", "ord_older", default));

        var created = Assert.IsType<CreateOrderResult.Created>(await _service.CreateAsync(Draft(), "k1", default));

        Assert.Equal(PaymentStatus.Pending, created.Order.Status);
        Assert.Equal("reused-1", created.Order.ProviderReference);
        Assert.Equal("https://pay.example/" + created.Order.Id, created.Order.RedirectUrl);
        AssertConflictLogged(created.Order.Id, "ord_older", "reused-1");
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
