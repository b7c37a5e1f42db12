using Microsoft.Extensions.Logging.Abstractions;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Core.Tests;

public class PaymentOperationsTests
{
    private sealed class OperationsProvider : IPaymentProvider, IPaymentOperations
    {
        public int Refunds;
        public Func<RefundRequest, Task<ProviderRefundResult>> OnRefund { get; set; } =
            r => Task.FromResult(new ProviderRefundResult("pr-" + r.RefundId, RefundOutcome.Succeeded, "refunded", null));

        public string Name => "ops";
        public ProviderCapabilities Capabilities => ProviderCapabilities.Create | ProviderCapabilities.Capture | ProviderCapabilities.Refund | ProviderCapabilities.Cancel;
        public IEnumerable<ValidationIssue> Validate(OrderDraft draft) => [];
        public Task<ProviderSession> CreateSessionAsync(ProviderSessionRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new ProviderSession("ref-" + request.Order.Id, "https://pay.example", null, new Dictionary<string, string>()));
        public ReturnEvidence ReadReturn(ReturnRequest request) => new(null, ClaimedOutcome.Unknown);
        public Task<ProviderPaymentState> ConfirmAsync(Order order, ReturnEvidence? evidence, CancellationToken cancellationToken) =>
            Task.FromResult(new ProviderPaymentState(PaymentStatus.Authorized, "reserved", null, null));
        public Task<ProviderPaymentState> CaptureAsync(Order order, CancellationToken cancellationToken) =>
            Task.FromResult(new ProviderPaymentState(PaymentStatus.Succeeded, "paid", null, null));
        public Task<ProviderPaymentState> CancelAsync(Order order, CancellationToken cancellationToken) =>
            Task.FromResult(new ProviderPaymentState(PaymentStatus.Cancelled, "canceled", null, null));

        public async Task<ProviderRefundResult> RefundAsync(Order order, RefundRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Refunds);
            await Task.Yield();
            return await OnRefund(request);
        }
    }

    private readonly InMemoryOrderStore _store = new();
    private readonly OperationsProvider _provider = new();
    private readonly PaymentService _payments;
    private readonly PaymentOperations _operations;

    public PaymentOperationsTests()
    {
        var catalog = new ProviderCatalog([_provider]);
        _payments = new PaymentService(catalog, _store, new InMemoryLookups(), new FakeLinks(), TimeProvider.System, NullLogger<PaymentService>.Instance);
        _operations = new PaymentOperations(catalog, _store, _payments, TimeProvider.System, NullLogger<PaymentOperations>.Instance);
    }

    private async Task<string> AuthorizedOrderAsync()
    {
        var request = OrderRequestValidatorTests.Valid() with { Provider = "ops", Amount = "100.00", Items = null };
        var draft = OrderRequestValidator.Validate(request, new OrderRequestRules(new HashSet<string> { "ops" }, ["https://shop.example"])).Draft!;
        var order = Assert.IsType<CreateOrderResult.Created>(await _payments.CreateAsync(draft, "k", default)).Order;
        Assert.Equal(PaymentStatus.Authorized, (await _payments.SettleAsync(order.Id, null, TransitionSource.Return, default))!.Status);
        return order.Id;
    }

    private async Task<string> PaidOrderAsync()
    {
        var id = await AuthorizedOrderAsync();
        Assert.IsType<OperationResult.Done>(await _operations.CaptureAsync(id, default));
        return id;
    }

    [Fact]
    public async Task Capture_moves_an_authorized_order_to_succeeded_and_refuses_anything_else()
    {
        var id = await AuthorizedOrderAsync();
        var done = Assert.IsType<OperationResult.Done>(await _operations.CaptureAsync(id, default));
        Assert.Equal(PaymentStatus.Succeeded, done.Order.Status);
        Assert.Equal(TransitionSource.Api, done.Order.History[^1].Source);
        Assert.IsType<OperationResult.InvalidState>(await _operations.CaptureAsync(id, default));
        Assert.IsType<OperationResult.NotFound>(await _operations.CaptureAsync("ord_0000000000000000000000000000000f", default));
    }

    [Fact]
    public async Task Cancel_only_before_payment()
    {
        var id = await AuthorizedOrderAsync();
        Assert.Equal(PaymentStatus.Cancelled, Assert.IsType<OperationResult.Done>(await _operations.CancelAsync(id, default)).Order.Status);
        Assert.IsType<OperationResult.InvalidState>(await _operations.CancelAsync(await PaidOrderAsyncNewKey(), default));
    }

    private async Task<string> PaidOrderAsyncNewKey()
    {
        var request = OrderRequestValidatorTests.Valid() with { Provider = "ops", MerchantReference = "SO-2", Amount = "100.00", Items = null };
        var draft = OrderRequestValidator.Validate(request, new OrderRequestRules(new HashSet<string> { "ops" }, ["https://shop.example"])).Draft!;
        var order = Assert.IsType<CreateOrderResult.Created>(await _payments.CreateAsync(draft, "k2", default)).Order;
        await _payments.SettleAsync(order.Id, null, TransitionSource.Return, default);
        await _operations.CaptureAsync(order.Id, default);
        return order.Id;
    }

    [Fact]
    public async Task Partial_refunds_accumulate_to_refunded_and_never_exceed_the_amount()
    {
        var id = await PaidOrderAsync();
        var first = Assert.IsType<OperationResult.Done>(await _operations.RefundAsync(id, 3000, RefundReasons.RequestedByCustomer, null, null, default));
        Assert.Equal(PaymentStatus.PartiallyRefunded, first.Order.Status);
        Assert.Equal(3000, first.Order.RefundedMinor);

        var tooMuch = Assert.IsType<OperationResult.Unprocessable>(await _operations.RefundAsync(id, 7001, null, null, null, default));
        Assert.Equal("amount", tooMuch.Field);

        var rest = Assert.IsType<OperationResult.Done>(await _operations.RefundAsync(id, null, null, null, null, default));
        Assert.Equal(PaymentStatus.Refunded, rest.Order.Status);
        Assert.Equal(10000, rest.Order.RefundedMinor);
        Assert.Equal(2, _provider.Refunds);
        Assert.IsType<OperationResult.InvalidState>(await _operations.RefundAsync(id, 1, null, null, null, default));
    }

    [Fact]
    public async Task The_same_idempotency_key_refunds_once()
    {
        var id = await PaidOrderAsync();
        var a = Assert.IsType<OperationResult.Done>(await _operations.RefundAsync(id, 1000, null, null, "r-1", default));
        var b = Assert.IsType<OperationResult.Done>(await _operations.RefundAsync(id, 1000, null, null, "r-1", default));
        Assert.Equal(1, _provider.Refunds);
        Assert.Single(b.Order.Refunds);
        Assert.Equal(a.Order.Refunds, b.Order.Refunds);
    }

    [Fact]
    public async Task Concurrent_refunds_cannot_spend_the_same_remainder()
    {
        var id = await PaidOrderAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => _operations.RefundAsync(id, 6000, null, null, null, default))));
        Assert.Single(results.OfType<OperationResult.Done>());
        Assert.Equal(9, results.OfType<OperationResult.Unprocessable>().Count());
        Assert.Equal(1, _provider.Refunds);
        Assert.Equal(6000, (await _store.GetAsync(id, default))!.Order.RefundedMinor);
    }

    [Fact]
    public async Task A_refused_refund_is_recorded_failed_and_frees_its_amount()
    {
        var id = await PaidOrderAsync();
        _provider.OnRefund = _ => throw new ProviderException("ops", ProviderFailure.Rejected, "ops refused the refund");
        var failed = Assert.IsType<OperationResult.ProviderFailed>(await _operations.RefundAsync(id, 4000, null, null, null, default));
        Assert.Equal(RefundRecordOutcome.Failed, Assert.Single(failed.Order.Refunds).Outcome);
        Assert.Equal(0, failed.Order.RefundedMinor);
        Assert.Equal(PaymentStatus.Succeeded, failed.Order.Status);
    }

    [Fact]
    public async Task A_refund_whose_outcome_is_unknown_stays_requested_and_the_same_key_asks_again()
    {
        var id = await PaidOrderAsync();
        _provider.OnRefund = _ => throw new ProviderException("ops", ProviderFailure.Timeout, "ops did not answer");
        Assert.IsType<OperationResult.ProviderFailed>(await _operations.RefundAsync(id, 4000, null, null, "r-9", default));
        Assert.Equal(RefundRecordOutcome.Requested, Assert.Single((await _store.GetAsync(id, default))!.Order.Refunds).Outcome);

        _provider.OnRefund = r => Task.FromResult(new ProviderRefundResult("pr", RefundOutcome.Succeeded, "refunded", null));
        var done = Assert.IsType<OperationResult.Done>(await _operations.RefundAsync(id, 4000, null, null, "r-9", default));
        Assert.Equal(RefundRecordOutcome.Succeeded, Assert.Single(done.Order.Refunds).Outcome);
        Assert.Equal(PaymentStatus.PartiallyRefunded, done.Order.Status);
    }
}
