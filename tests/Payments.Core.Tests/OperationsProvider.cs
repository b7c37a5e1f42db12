namespace Payments.Core.Tests;

/// <summary>A provider that can capture, refund and cancel, and counts what it was asked to do.</summary>
internal sealed class OperationsProvider : IPaymentProvider, IPaymentOperations
{
    public int Refunds;
    public int Finds;

    public Func<RefundRequest, Task<ProviderRefundResult>> OnRefund { get; set; } =
    r => Task.FromResult(new ProviderRefundResult("pr-" + r.RefundId, RefundOutcome.Succeeded, "refunded", null));

    public Func<RefundRecord, Task<ProviderRefundResult?>> OnFind { get; set; } = _ => Task.FromResult<ProviderRefundResult?>(null);

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

    public async Task<ProviderRefundResult?> FindRefundAsync(Order order, RefundRecord refund, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Finds);
        await Task.Yield();
        return await OnFind(refund);
    }
}
