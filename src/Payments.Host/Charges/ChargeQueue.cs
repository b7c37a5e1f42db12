using Payments.Core.Charges;
using Payments.Messaging;

namespace Payments.Host.Charges;

/// <summary>
/// <see cref="IChargeQueue"/> on the <c>payment-charges</c> queue: body <c>{"orderId","chargeId"}</c>, MessageId = the
/// charge id (duplicate detection drops a repeat), Subject <c>charge.upsell</c>/<c>charge.recurring</c>, and
/// <c>ScheduledEnqueueTimeUtc</c> = runAt for a charge due later.
/// </summary>
public sealed class ChargeQueue(IMessageSender sender, TimeProvider clock) : IChargeQueue
{
    public Task EnqueueAsync(string orderId, ChargeRecord charge, CancellationToken cancellationToken) =>
        sender.SendAsync(MessagingEntities.PaymentCharges, Message(orderId, charge, clock.GetUtcNow()), cancellationToken);

    public static OutgoingMessage Message(string orderId, ChargeRecord charge, DateTimeOffset now) =>
        OutgoingMessage.FromJson(new ChargeMessage(orderId, charge.ChargeId)) with
        {
            MessageId = charge.ChargeId,
            CorrelationId = orderId,
            Subject = charge.Kind == ChargeKind.Upsell ? "charge.upsell" : "charge.recurring",
            ScheduledEnqueueTimeUtc = charge.RunAt is { } at && at > now ? at : null,
        };
}
