namespace Payments.Core.Events;

/// <summary>An outbox row: an event written with its order's status change, not necessarily published yet.</summary>
public sealed record OutboxEntry(string OrderId, string EventId, PaymentEvent Event, DateTimeOffset OccurredAt, DateTimeOffset? SentAt);

/// <summary>Reads the outbox for the publisher (the next step after the order write).</summary>
public interface IOutboxReader
{
    /// <summary>Up to <paramref name="maxCount"/> events not marked sent yet, oldest first within what was read.</summary>
    Task<IReadOnlyList<OutboxEntry>> GetUnsentAsync(int maxCount, CancellationToken cancellationToken);

    /// <summary>Marks the event published. Idempotent; false when the outbox row does not exist.</summary>
    Task<bool> MarkSentAsync(string orderId, string eventId, DateTimeOffset sentAt, CancellationToken cancellationToken);
}
