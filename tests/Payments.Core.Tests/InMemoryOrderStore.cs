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
