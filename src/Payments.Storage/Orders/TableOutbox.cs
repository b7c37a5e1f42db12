using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Events;
using Payments.Storage.Tables;

namespace Payments.Storage.Orders;

/// <summary>
/// The outbox of <see cref="TableOrderStore"/>, in the orders table. An event's row (<c>event_{eventId}</c> in its order's
/// partition, <c>Pending</c> = true) is written with its change and never written again. What was published is recorded in
/// batches instead, and the sweep reads only what was committed since its checkpoint:
/// <list type="bullet">
/// <item>Partition <c>~outbox_sent</c>: one row per batch of published events (<c>Events</c> = their ids, space-separated,
/// at most <see cref="MaxIdsPerSentRow"/>), so publishing costs one write per batch, not one per event.</item>
/// <item>Partition <c>~outbox</c>, RowKey <c>checkpoint</c>: <c>Through</c>, in the store's clock: every event whose row's
/// <c>Timestamp</c> (set by Table Storage at the commit) is earlier has been published.</item>
/// </list>
/// A scan reads the checkpoint (and the store's clock from its answer's <c>Date</c>), the sent rows written since the
/// checkpoint, and the keys of the outbox rows committed since then; what is not recorded as sent is unsent, and only those
/// rows are read whole. Once those are published,
/// the checkpoint moves to the store's clock at the scan less <see cref="DefaultSettle"/> (the settle time), which a commit in flight cannot be behind.
/// </summary>
/// <remarks>
/// Rows of an older version marked one by one (<c>Pending</c> = false) are never read again. Nothing is lost when a record
/// of a publish is lost (a crash before its batch was written): the event is unsent to the sweep, which publishes it again,
/// and the broker drops the repeat by its MessageId (the event id). The scans over the table stay filtered on the server
/// (Table Storage has no secondary index; a best-effort index would be the next step for a very large table).
/// </remarks>
public sealed class TableOutbox : IOutboxReader
{
    public const string CheckpointPartition = "~outbox";
    public const string CheckpointRowKey = "checkpoint";
    public const string SentPartition = "~outbox_sent";

    /// <summary>Event ids per sent row: well under the 32 768 characters of a string property.</summary>
    public const int MaxIdsPerSentRow = 500;

    /// <summary>How far the checkpoint trails the store's clock: longer than any commit takes to become visible.</summary>
    public static readonly TimeSpan DefaultSettle = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How much earlier than the checkpoint a scan still reads sent rows: a batch is written after its events were committed,
    /// so its row's Timestamp is later than theirs, unless the store's servers disagree on the time by more than this.
    /// </summary>
    public static readonly TimeSpan SentRowSlack = TimeSpan.FromMinutes(5);

    /// <summary>Sent rows this much older than the checkpoint are deleted when it moves.</summary>
    public static readonly TimeSpan SentRowRetention = TimeSpan.FromHours(1);

    /// <summary>The earliest time Table Storage stores (1601-01-01), plus a day: where the checkpoint of a new table is.</summary>
    public static readonly DateTimeOffset Beginning = new(1601, 1, 2, 0, 0, 0, TimeSpan.Zero);

    private const int MaxPrunedPerAdvance = 1000;

    // The first string after every "event_…" row key: '`' follows '_'.
    private const string EventRowKeyEnd = "event`";

    private readonly EnsureTableOnce _table;
    private readonly TimeSpan _settle;

    /// <summary>The outbox of <paramref name="store"/>'s orders table (one table creation for both).</summary>
    public TableOutbox(TableOrderStore store, TimeSpan? settle = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _table = store.OrdersTable;
        _settle = settle ?? DefaultSettle;
        ArgumentOutOfRangeException.ThrowIfLessThan(_settle, TimeSpan.Zero, nameof(settle));
    }

    public async Task<OutboxScan> ScanAsync(int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        await _table.EnsureAsync(cancellationToken);
        var row = await _table.Table.GetEntityIfExistsAsync<TableEntity>(CheckpointPartition, CheckpointRowKey, cancellationToken: cancellationToken);
        var through = row.HasValue ? row.Value!.GetDateTimeOffset("Through") ?? Beginning : Beginning;
        var version = row.HasValue ? row.Value!.ETag.ToString() : null;

        // The store's clock, not ours: the rows' Timestamps are the store's. Without a Date the checkpoint stays.
        var next = row.GetRawResponse().Headers.Date is { } storeNow && storeNow - _settle > through ? storeNow - _settle : through;

        // The sent rows first: an event published and recorded between the two reads is only published once more, which
        // the broker drops; the other order would need every candidate held until the sent rows are read.
        var sent = new HashSet<string>(StringComparer.Ordinal);
        var sentSince = through - Beginning > SentRowSlack ? through - SentRowSlack : Beginning;
        var sentFilter = TableClient.CreateQueryFilter($"PartitionKey eq {SentPartition} and Timestamp ge {sentSince}");
        await foreach (var sentRow in _table.Table.QueryAsync<TableEntity>(sentFilter, select: ["Events"], cancellationToken: cancellationToken))
        {
            sent.UnionWith((sentRow.GetString("Events") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        // Keys only: under load the window holds a minute or more of events, nearly all of them sent. Only the unsent ones
        // are read whole, one point read each.
        var unsentKeys = new List<(string PartitionKey, string RowKey)>();
        var complete = true;
        var filter = TableClient.CreateQueryFilter(
            $"RowKey ge {TableOrderStore.EventRowKeyPrefix} and RowKey lt {EventRowKeyEnd} and Pending eq {true} and Timestamp ge {through}");
        await foreach (var entity in _table.Table.QueryAsync<TableEntity>(
            filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey", "EventId"], cancellationToken: cancellationToken))
        {
            if (sent.Contains(TableOrderStore.EventIdOf(entity)))
            {
                continue;
            }

            if (unsentKeys.Count == maxCount)
            {
                complete = false;
                break;
            }

            unsentKeys.Add((entity.PartitionKey, entity.RowKey));
        }

        var unsent = new List<OutboxEntry>(unsentKeys.Count);
        foreach (var (partitionKey, rowKey) in unsentKeys)
        {
            var eventRow = await _table.Table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
            if (eventRow.HasValue)
            {
                unsent.Add(TableOrderStore.ReadEvent(eventRow.Value!));
            }
        }

        return new OutboxScan(
            [.. unsent.OrderBy(e => e.OccurredAt).ThenBy(e => e.EventId, StringComparer.Ordinal)],
            complete,
            new OutboxCheckpoint(through, next, version));
    }

    public async Task RecordSentAsync(IReadOnlyCollection<string> eventIds, DateTimeOffset sentAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        foreach (var id in eventIds)
        {
            if (string.IsNullOrEmpty(id) || id.Contains(' ', StringComparison.Ordinal))
            {
                throw new ArgumentException($"Event id '{id}' cannot be recorded: it is empty or has a space.", nameof(eventIds));
            }
        }

        await _table.EnsureAsync(cancellationToken);
        foreach (var chunk in eventIds.Chunk(MaxIdsPerSentRow))
        {
            var rowKey = string.Create(CultureInfo.InvariantCulture, $"{sentAt.UtcTicks:D19}_{Guid.NewGuid():N}");
            await _table.Table.AddEntityAsync(TableRows.Create(SentPartition, rowKey, new Dictionary<string, object?>
            {
                ["Events"] = string.Join(' ', chunk),
                ["Count"] = chunk.Length,
                ["SentAt"] = sentAt,
            }), cancellationToken);
        }
    }

    public async Task<bool> AdvanceAsync(OutboxScan scan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scan);
        var checkpoint = scan.Checkpoint;
        if (!scan.Complete || checkpoint.Next <= checkpoint.Through)
        {
            return false;
        }

        var row = TableRows.Create(CheckpointPartition, CheckpointRowKey, new Dictionary<string, object?> { ["Through"] = checkpoint.Next });
        await _table.EnsureAsync(cancellationToken);
        try
        {
            if (checkpoint.Version is null)
            {
                await _table.Table.AddEntityAsync(row, cancellationToken);
            }
            else
            {
                await _table.Table.UpdateEntityAsync(row, new ETag(checkpoint.Version), TableUpdateMode.Replace, cancellationToken);
            }
        }
        catch (RequestFailedException ex) when (ex.IsConflict() || ex.IsPreconditionFailed())
        {
            // Another sweep moved it since this scan read it: it stands where that one put it.
            return false;
        }

        try
        {
            await PruneSentRowsAsync(checkpoint.Next - SentRowRetention, cancellationToken);
        }
        catch (RequestFailedException)
        {
            // Housekeeping only (another sweep deleting the same rows, storage busy): the next move prunes them.
        }

        return true;
    }

    /// <summary>Deletes sent rows written before <paramref name="before"/> (store clock), at most <see cref="MaxPrunedPerAdvance"/> a time.</summary>
    private async Task PruneSentRowsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        if (before <= Beginning)
        {
            return;
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {SentPartition} and Timestamp lt {before}");
        var old = new List<TableTransactionAction>();
        await foreach (var sentRow in _table.Table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            old.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(SentPartition, sentRow.RowKey), ETag.All));
            if (old.Count == MaxPrunedPerAdvance)
            {
                break;
            }
        }

        foreach (var batch in old.Chunk(TableRows.MaxTransactionActions))
        {
            await _table.Table.SubmitTransactionAsync(batch, cancellationToken);
        }
    }
}
