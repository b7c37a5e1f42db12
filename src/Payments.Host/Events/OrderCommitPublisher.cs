using Payments.Core.Charges;
using Payments.Core.Events;
using Payments.Core.Orders;

namespace Payments.Host.Events;

/// <summary>
/// Runs after every committed order change (<see cref="IOrderChangeObserver"/>): publishes its events and sends the
/// messages of the charges it queued. Best effort; the outbox and charge sweeps catch up on anything it could not send.
/// </summary>
public sealed class OrderCommitPublisher(OutboxDispatcher dispatcher, IChargeQueue charges, ILogger<OrderCommitPublisher> logger) : IOrderChangeObserver
{
    public async Task OnCommittedAsync(Order before, Order after, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken)
    {
        await dispatcher.DispatchAsync(events, cancellationToken);

        foreach (var charge in after.Charges.Where(c => c.Status == ChargeStatus.Queued && !before.Charges.Any(b => b.ChargeId == c.ChargeId)))
        {
            try
            {
                using var timeout = new CancellationTokenSource(OutboxDispatcher.ImmediateTimeout);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                await charges.EnqueueAsync(after.Id, charge, linked.Token);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Charge {ChargeId} of order {OrderId} is queued but its message could not be sent ({Error}); the charge sweep sends it",
                    charge.ChargeId, after.Id, ex.Message);
            }
        }
    }
}
