using Payments.Core.Charges;
using Payments.Core.Events;
using Payments.Core.Orders;

namespace Payments.Host.Events;

/// <summary>
/// Runs after every committed order change (<see cref="IOrderChangeObserver"/>): publishes its events and sends the
/// messages of the charges it queued. Best effort and bounded in time (a slow Service Bus never holds a publish beyond
/// <see cref="OutboxDispatcher.ImmediateTimeout"/>); the outbox and charge sweeps catch up on anything it could not send.
/// </summary>
/// <remarks>Runs off the request's path: <see cref="CommitPublishQueue"/> is the app's observer and hands each change to this.</remarks>
public sealed class OrderCommitPublisher(OutboxDispatcher dispatcher, IChargeQueue charges, ILogger<OrderCommitPublisher> logger) : IOrderChangeObserver
{
    /// <summary>The charges a change queued: queued in <paramref name="after"/> and not in <paramref name="before"/>.</summary>
    public static IEnumerable<ChargeRecord> QueuedCharges(Order before, Order after) =>
        after.Charges.Where(c => c.Status == ChargeStatus.Queued && !before.Charges.Any(b => b.ChargeId == c.ChargeId));

    public async Task OnCommittedAsync(Order before, Order after, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken)
    {
        // Side by side, each bounded by OutboxDispatcher.ImmediateTimeout: the request that made the change waits for
        // the slowest of them, never for their sum, and never longer than that bound.
        var sends = new List<Task> { dispatcher.DispatchAsync(events, cancellationToken) };
        sends.AddRange(QueuedCharges(before, after).Select(charge => EnqueueAsync(after, charge, cancellationToken)));
        await Task.WhenAll(sends);
    }

    private async Task EnqueueAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken)
    {
        try
        {
            // ChargeQueue bounds the send itself (ChargeQueue.SendTimeout).
            await charges.EnqueueAsync(order.Id, charge, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Charge {ChargeId} of order {OrderId} is queued but its message could not be sent ({Error}); the charge sweep sends it",
                charge.ChargeId, order.Id, ex.Message);
        }
    }
}
