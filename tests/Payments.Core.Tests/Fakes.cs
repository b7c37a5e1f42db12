namespace Payments.Core.Tests;

/// <summary>An in-memory order store with real ETag semantics, for unit tests of the flow.</summary>
internal sealed class InMemoryOrderStore : IOrderStore, IOrderQueries
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StoredOrder> _orders = new(StringComparer.Ordinal);
    private int _version;

    private int _reads;

    public ConcurrentQueue<PaymentEvent> Events { get; } = new();

    /// <summary>Reads so far (<see cref="GetAsync"/> calls).</summary>
    public int Reads => Volatile.Read(ref _reads);

    public Task<StoredOrder?> GetAsync(string orderId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        lock (_gate)
        {
            return Task.FromResult(_orders.GetValueOrDefault(orderId));
        }
    }

    public Task<StoredOrder?> TryInsertAsync(Order order, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_orders.ContainsKey(order.Id))
            {
                return Task.FromResult<StoredOrder?>(null);
            }

            var stored = new StoredOrder(order, $"v{++_version}");
            _orders[order.Id] = stored;
            return Task.FromResult<StoredOrder?>(stored);
        }
    }

    public async Task<StoredOrder?> TryReplaceAsync(StoredOrder current, Order updated, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken)
    {
        await Task.Yield(); // let concurrent callers interleave
        lock (_gate)
        {
            if (!_orders.TryGetValue(current.Order.Id, out var now) || now.ETag != current.ETag)
            {
                return null;
            }

            var stored = new StoredOrder(updated, $"v{++_version}");
            _orders[updated.Id] = stored;
            foreach (var e in events)
            {
                Events.Enqueue(e);
            }

            return stored;
        }
    }

    public Task<IReadOnlyList<string>> FindByStatusAsync(PaymentStatus status, DateTimeOffset createdBefore, int maxCount, CancellationToken cancellationToken) =>
        Find(o => o.Status == status && o.CreatedAt < createdBefore, maxCount);

    public Task<IReadOnlyList<string>> FindAwaitingProviderSessionAsync(DateTimeOffset createdBefore, int maxCount, CancellationToken cancellationToken) =>
        Find(o => o.AwaitingProviderSession && o.CreatedAt < createdBefore, maxCount);

    public Task<IReadOnlyList<string>> FindChargesDueAsync(DateTimeOffset dueBy, int maxCount, CancellationToken cancellationToken) =>
        Find(o => Charges.ChargeRules.AttentionAt(o) is { } at && at <= dueBy, maxCount);

    public Task<IReadOnlyList<string>> FindRefundsDueAsync(DateTimeOffset dueBy, int maxCount, CancellationToken cancellationToken) =>
        Find(o => Refunds.RefundRules.AttentionAt(o) is { } at && at <= dueBy, maxCount);

    private Task<IReadOnlyList<string>> Find(Func<Order, bool> match, int maxCount)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>(
                [.. _orders.Values.Select(s => s.Order).Where(match).OrderBy(o => o.Id, StringComparer.Ordinal).Take(maxCount).Select(o => o.Id)]);
        }
    }
}

/// <summary>A clock that moves only when told to (no timers: Core does not use any).</summary>
internal sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

internal sealed class InMemoryLookups : IOrderLookups
{
    private readonly ConcurrentDictionary<string, IdempotencyRecord> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _refs = new(StringComparer.Ordinal);

    public Task<IdempotencyRecord?> TryClaimIdempotencyKeyAsync(IdempotencyRecord record, CancellationToken cancellationToken)
    {
        var winner = _keys.GetOrAdd(record.Key, record);
        return Task.FromResult(ReferenceEquals(winner, record) ? null : winner);
    }

    public Task<string?> LinkProviderReferenceAsync(string provider, string providerReference, string orderId, CancellationToken cancellationToken)
    {
        var owner = _refs.GetOrAdd($"{provider}|{providerReference}", orderId);
        return Task.FromResult(owner == orderId ? null : owner);
    }

    public Task<string?> FindOrderIdAsync(string provider, string providerReference, CancellationToken cancellationToken) =>
        Task.FromResult(_refs.GetValueOrDefault($"{provider}|{providerReference}"));
}

internal sealed class FakeProvider : IPaymentProvider
{
    private int _creates;
    private int _confirms;

    public string Name => "fake";
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

internal sealed class FakeLinks : IPaymentLinks
{
    public Uri ReturnUrl(Order order) => new($"https://pay.test/api/return/{order.Provider}/{order.Id}/t");
    public Uri CancelUrl(Order order) => new($"https://pay.test/api/return/{order.Provider}/{order.Id}/t?cancel=1");
    public Uri WebhookUrl(string provider) => new($"https://pay.test/api/webhooks/{provider}");
}
