namespace Payments.Core.Orders;

/// <summary>Who first used an idempotency key, and for which request.</summary>
public sealed record IdempotencyRecord(string Key, string Fingerprint, string OrderId, DateTimeOffset CreatedAt);

/// <summary>Insert-only lookups that point at orders.</summary>
public interface IOrderLookups
{
    /// <summary>
    /// Claims <paramref name="record"/>'s key. Returns null when this call claimed it, or the record that
    /// claimed it first.
    /// </summary>
    Task<IdempotencyRecord?> TryClaimIdempotencyKeyAsync(IdempotencyRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Records that the provider's <paramref name="providerReference"/> belongs to the order. Idempotent and insert-only:
    /// returns null when the reference is this order's (linked now or before), or the id of the order that already holds
    /// it. A conflict is not an error here and does not move the link: the caller decides (a provider or sandbox that
    /// reused a reference, e.g. a NEXT sandbox restarted against the same tables, makes one).
    /// </summary>
    Task<string?> LinkProviderReferenceAsync(string provider, string providerReference, string orderId, CancellationToken cancellationToken);

    /// <summary>The order a provider reference belongs to, or null.</summary>
    Task<string?> FindOrderIdAsync(string provider, string providerReference, CancellationToken cancellationToken);
}
