using Payments.Core.Events;

namespace Payments.Core.Orders;

/// <summary>An order with the version (ETag) it was read at.</summary>
public sealed record StoredOrder(Order Order, string ETag);

/// <summary>Durable order storage (Table Storage in production). Every write is atomic per order.</summary>
public interface IOrderStore
{
    /// <summary>The order, or null when there is none.</summary>
    Task<StoredOrder?> GetAsync(string orderId, CancellationToken cancellationToken);

    /// <summary>Inserts a new order. Returns null when an order with that id exists already.</summary>
    Task<StoredOrder?> TryInsertAsync(Order order, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces <paramref name="current"/> with <paramref name="updated"/> and writes <paramref name="events"/>
    /// to the outbox, in one transaction guarded by the ETag. Returns null when the order changed since it
    /// was read (someone else moved first): re-read and decide again.
    /// </summary>
    Task<StoredOrder?> TryReplaceAsync(StoredOrder current, Order updated, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken);
}
