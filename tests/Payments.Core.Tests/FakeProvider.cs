namespace Payments.Core.Tests;

internal sealed class FakeProvider : IPaymentProvider
{
    private int _creates;
    private int _confirms;

    /// <summary>"fake"; a test that needs a second plain provider (one without charges) names another.</summary>
    public string Name { get; init; } = "fake";
    public ProviderCapabilities Capabilities => ProviderCapabilities.Create | ProviderCapabilities.Return;
    public bool IdempotentCreate { get; set; }
    public bool SessionCreationIsIdempotent => IdempotentCreate;
    public bool LinksReferences { get; set; } = true;
    public bool NeedsReferenceLookup => LinksReferences;
    public int Creates => _creates;
    public int Confirms => _confirms;
    public Func<ProviderSessionRequest, ProviderSession> OnCreate { get; set; } =
        r => new ProviderSession("ref-" + r.Order.Id, "https://pay.example/" + r.Order.Id, null, new Dictionary<string, string>());

    /// <summary>Runs before <see cref="OnCreate"/> (a test may hold a create here).</summary>
    public Func<ProviderSessionRequest, Task> BeforeCreate { get; set; } = _ => Task.CompletedTask;
    public Func<Order, Task<ProviderPaymentState>> OnConfirm { get; set; } =
        _ => Task.FromResult(new ProviderPaymentState(PaymentStatus.Succeeded, "paid", null, null));

    public IEnumerable<ValidationIssue> Validate(OrderDraft draft) => [];

    public async Task<ProviderSession> CreateSessionAsync(ProviderSessionRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _creates);
        await BeforeCreate(request);
        return OnCreate(request);
    }

    public ReturnEvidence ReadReturn(ReturnRequest request) => new(null, ClaimedOutcome.Unknown);

    public Task<ProviderPaymentState> ConfirmAsync(Order order, ReturnEvidence? evidence, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _confirms);
        return OnConfirm(order);
    }
}
