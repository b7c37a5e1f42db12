using Payments.Core.Events;

namespace Payments.Core.Orders;

/// <summary>
/// Told about every order change right after it was committed, to publish its events and enqueue its new charges
/// without waiting for a sweep. Best effort by contract: the change is already durable (its events sit in the
/// outbox, its charges are queued on the order), so an implementation logs its failures and never throws; the
/// sweeps send whatever it could not.
/// </summary>
public interface IOrderChangeObserver
{
    Task OnCommittedAsync(Order before, Order after, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken);
}
