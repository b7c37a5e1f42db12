using Payments.Core.Charges;
using Payments.Host.Events;
using Payments.Messaging;

namespace Payments.Host.Charges;

/// <summary>
/// <see cref="IChargeQueue"/> on the <c>payment-charges</c> queue: body <c>{"orderId","chargeId"}</c>, MessageId = the
/// charge id (duplicate detection drops a repeat), Subject <c>charge.upsell</c>/<c>charge.recurring</c>, and
/// <c>ScheduledEnqueueTime</c> = runAt for a charge due later. Every enqueue is bounded by <see cref="SendTimeout"/>.
/// </summary>
public sealed class ChargeQueue(IMessageSender sender, TimeProvider clock) : IChargeQueue
{
    /// <summary>
    /// How long one enqueue may take: it runs on request paths (after the commit of a new charge, on a replayed
    /// request), so it is bounded by <see cref="BoundedSend"/> and not by the token alone. A send given up on leaves
    /// the charge queued for the charge sweep (and may still arrive: the broker drops the repeat).
    /// </summary>
    public static readonly TimeSpan SendTimeout = OutboxDispatcher.ImmediateTimeout;

    public Task EnqueueAsync(string orderId, ChargeRecord charge, CancellationToken cancellationToken)
    {
        var message = Message(orderId, charge, clock.GetUtcNow());
        return BoundedSend.RunAsync(ct => sender.SendAsync(MessagingEntities.PaymentCharges, message, ct), MessagingEntities.PaymentCharges,
            SendTimeout, clock, cancellationToken);
    }

    public static OutgoingMessage Message(string orderId, ChargeRecord charge, DateTimeOffset now) =>
        OutgoingMessage.FromJson(new ChargeMessage(orderId, charge.ChargeId)) with
        {
            MessageId = charge.ChargeId,
            CorrelationId = orderId,
            Subject = charge.Kind == ChargeKind.Upsell ? "charge.upsell" : "charge.recurring",
            ScheduledEnqueueTimeUtc = charge.RunAt is { } at && at > now ? at : null,
        };
}
