namespace Payments.Core.Charges;

/// <summary>
/// The <c>payment-charges</c> queue, seen from Core. A message names a charge; the charge itself lives on its order.
/// Sending the same charge again is harmless: the broker drops a repeat within its duplicate detection window
/// (MessageId = charge id), and the handler is idempotent by charge id.
/// </summary>
public interface IChargeQueue
{
    /// <summary>Sends the charge's message, scheduled for <see cref="ChargeRecord.RunAt"/> when that is in the future.</summary>
    /// <exception cref="Exception">Any failure to send; callers treat the charge as still queued.</exception>
    Task EnqueueAsync(string orderId, ChargeRecord charge, CancellationToken cancellationToken);
}

/// <summary>The body of a <c>payment-charges</c> message.</summary>
public sealed record ChargeMessage(string OrderId, string ChargeId);
