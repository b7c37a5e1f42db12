namespace Payments.Core.Events;

/// <summary>An outbox row: an event written with its order's status change, not necessarily published yet.</summary>
public sealed record OutboxEntry(string OrderId, string EventId, PaymentEvent Event, DateTimeOffset OccurredAt);

/// <summary>
/// What one look at the outbox found: the events committed since the checkpoint that are not recorded as sent (oldest
/// first, at most the count asked for), whether that is all of them, and the checkpoint the store may move to once they
/// are published (<see cref="IOutboxReader.AdvanceAsync"/>).
/// </summary>
public sealed record OutboxScan(IReadOnlyList<OutboxEntry> Unsent, bool Complete, OutboxCheckpoint Checkpoint);

/// <summary>
/// Where the outbox sweep stands, in the store's own clock: every event committed before <see cref="Through"/> has been
/// published. <see cref="Next"/> is where it may move once the events of the scan are published (it trails the store's
/// clock by a settle time, so a commit still in flight is never passed); <see cref="Version"/> guards the move.
/// </summary>
public sealed record OutboxCheckpoint(DateTimeOffset Through, DateTimeOffset Next, string? Version);

/// <summary>
/// The outbox for the publisher (the next step after the order write). An event is written with its change and never
/// marked one by one: what was published is recorded in batches (<see cref="RecordSentAsync"/>, one write for many
/// events), and the sweep reads only what was committed since its checkpoint, so publishing an event costs the store no
/// write of its own.
/// </summary>
public interface IOutboxReader
{
    /// <summary>
    /// The events committed since the checkpoint and not recorded as sent: at most <paramref name="maxCount"/>, oldest first
    /// within what was read.
    /// </summary>
    Task<OutboxScan> ScanAsync(int maxCount, CancellationToken cancellationToken);

    /// <summary>Records that these events were published (one write). Recording an event twice is harmless.</summary>
    Task RecordSentAsync(IReadOnlyCollection<string> eventIds, DateTimeOffset sentAt, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the checkpoint to <see cref="OutboxCheckpoint.Next"/> of a complete scan whose events are all published now;
    /// false when the scan was not complete, or another sweep moved it first (nothing is lost: the next scan starts from
    /// wherever the checkpoint is).
    /// </summary>
    Task<bool> AdvanceAsync(OutboxScan scan, CancellationToken cancellationToken);
}

/// <summary>Reading the outbox in tests and tools.</summary>
public static class OutboxReaderExtensions
{
    /// <summary>Up to <paramref name="maxCount"/> events not recorded as sent yet, oldest first.</summary>
    public static async Task<IReadOnlyList<OutboxEntry>> GetUnsentAsync(this IOutboxReader outbox, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        return (await outbox.ScanAsync(maxCount, cancellationToken)).Unsent;
    }
}
