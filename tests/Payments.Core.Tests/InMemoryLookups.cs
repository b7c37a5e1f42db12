namespace Payments.Core.Tests;

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
