using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;
using static Payments.Storage.Tests.StoredOrders;

namespace Payments.Storage.Tests;

/// <summary>
/// The outbox (<see cref="TableOutbox"/>): events are never marked one by one; published ones are recorded in batches, and
/// the checkpoint, in the store's clock, keeps the sweep to what was committed since.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class OutboxTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    /// <summary>More than the store's Date header truncates away (whole seconds): a checkpoint can pass what came before.</summary>
    private static readonly TimeSpan PastOneSecond = TimeSpan.FromMilliseconds(1100);

    private static async Task<PaymentEvent> CommitAsync(OrderStorage storage, DateTimeOffset? at = null)
    {
        var stored = (await storage.Store.TryInsertAsync(NewOrder(), default))!;
        var (updated, events) = Transition(stored.Order, PaymentStatus.Succeeded, at: at);
        Assert.NotNull(await storage.Store.TryReplaceAsync(stored, updated, events, default));
        return events[0];
    }

    [Fact]
    public async Task Unsent_events_are_listed_oldest_first_and_recorded_sent_many_to_one_write()
    {
        var storage = azurite.CreateOrderStorage();
        var a = await CommitAsync(storage, at: Now.AddMinutes(2));
        var b = await CommitAsync(storage, at: Now.AddMinutes(1));

        var unsent = await storage.Outbox.GetUnsentAsync(10, default);
        Assert.Equal([b.EventId, a.EventId], unsent.Select(e => e.EventId));
        Assert.Equal(b, unsent[0].Event);
        Assert.Equal(b.OrderId, unsent[0].OrderId);

        // At most the count asked for (in the table's order: oldest first is within what was read), and it says so.
        var first = await storage.Outbox.ScanAsync(1, default);
        Assert.Contains(Assert.Single(first.Unsent).EventId, new[] { a.EventId, b.EventId });
        Assert.False(first.Complete);
        Assert.True((await storage.Outbox.ScanAsync(2, default)).Complete);

        await storage.Outbox.RecordSentAsync([b.EventId], Now.AddMinutes(3), default);
        await storage.Outbox.RecordSentAsync([b.EventId, "evt_never_written"], Now.AddMinutes(4), default); // twice, and unknown: harmless
        Assert.Equal([a.EventId], (await storage.Outbox.GetUnsentAsync(10, default)).Select(e => e.EventId));

        // The outbox rows are as they were written; what was sent is in rows of its own, many ids to a row.
        var outboxRow = (await storage.Store.Table.GetRowAsync(b.OrderId, TableOrderStore.EventRowKey(b.EventId)))!;
        Assert.True(outboxRow.GetBoolean("Pending"));
        var sentRows = await storage.Store.Table.QueryAsync<TableEntity>(e => e.PartitionKey == TableOutbox.SentPartition).ToListAsync();
        Assert.Equal(2, sentRows.Count);
        Assert.Equal($"{b.EventId} evt_never_written", sentRows[1].GetString("Events"));

        await Assert.ThrowsAsync<ArgumentException>(() => storage.Outbox.RecordSentAsync(["evt with space"], Now, default));
    }

    [Fact]
    public async Task A_moved_checkpoint_passes_what_was_committed_before_it_and_only_that()
    {
        var storage = azurite.CreateOrderStorage(outboxSettle: TimeSpan.Zero);
        var early = await CommitAsync(storage);
        await Task.Delay(PastOneSecond);

        var scan = await storage.Outbox.ScanAsync(10, default);
        Assert.Equal([early.EventId], scan.Unsent.Select(e => e.EventId));
        Assert.Equal(TableOutbox.Beginning, scan.Checkpoint.Through);
        Assert.True(await storage.Outbox.AdvanceAsync(scan, default));

        // Not recorded as sent, but before the checkpoint: a sweep that published it has moved past it.
        Assert.Empty(await storage.Outbox.GetUnsentAsync(10, default));
        var late = await CommitAsync(storage);
        Assert.Equal([late.EventId], (await storage.Outbox.GetUnsentAsync(10, default)).Select(e => e.EventId));
    }

    [Fact]
    public async Task The_checkpoint_trails_the_store_s_clock_by_the_settle_time()
    {
        var storage = azurite.CreateOrderStorage(); // TableOutbox.DefaultSettle: a minute
        var recent = await CommitAsync(storage);
        await Task.Delay(PastOneSecond);

        var scan = await storage.Outbox.ScanAsync(10, default);
        Assert.True(await storage.Outbox.AdvanceAsync(scan, default));

        // The checkpoint moved, but to a minute before the store's clock: an event committed since is still read.
        var next = await storage.Outbox.ScanAsync(10, default);
        Assert.Equal(scan.Checkpoint.Next, next.Checkpoint.Through);
        Assert.InRange(DateTimeOffset.UtcNow - next.Checkpoint.Through, TableOutbox.DefaultSettle - TimeSpan.FromSeconds(5), TableOutbox.DefaultSettle + TimeSpan.FromSeconds(30));
        Assert.Equal([recent.EventId], next.Unsent.Select(e => e.EventId));
    }

    [Fact]
    public async Task An_incomplete_scan_or_one_another_sweep_moved_past_does_not_move_the_checkpoint()
    {
        var storage = azurite.CreateOrderStorage(outboxSettle: TimeSpan.Zero);
        await CommitAsync(storage);
        await CommitAsync(storage);
        await Task.Delay(PastOneSecond);

        var partial = await storage.Outbox.ScanAsync(1, default);
        Assert.False(await storage.Outbox.AdvanceAsync(partial, default));
        Assert.Equal(2, (await storage.Outbox.GetUnsentAsync(10, default)).Count);

        var one = await storage.Outbox.ScanAsync(10, default);
        var other = await storage.Outbox.ScanAsync(10, default);
        Assert.True(await storage.Outbox.AdvanceAsync(one, default));
        Assert.False(await storage.Outbox.AdvanceAsync(other, default));
        Assert.Empty(await storage.Outbox.GetUnsentAsync(10, default));
    }

    [Fact]
    public async Task Sweeps_racing_commits_for_seconds_see_every_committed_event()
    {
        // A short settle time, so the checkpoint moves many times while the commits go on.
        var storage = azurite.CreateOrderStorage(outboxSettle: TimeSpan.FromSeconds(1));
        var committed = new ConcurrentBag<string>();
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var stop = Stopwatch.StartNew();
        var (scans, moves) = (0, 0);

        async Task WriteAsync()
        {
            while (stop.Elapsed < TimeSpan.FromSeconds(4))
            {
                committed.Add((await CommitAsync(storage)).EventId);
            }
        }

        async Task SweepOnceAsync()
        {
            var scan = await storage.Outbox.ScanAsync(1000, default);
            scans++;
            foreach (var entry in scan.Unsent)
            {
                seen.AddOrUpdate(entry.EventId, 1, (_, n) => n + 1);
            }

            // As the dispatcher does: publish (here: note), record, move on. Every third batch goes unrecorded, as after a
            // crash: those events come again until the checkpoint passes them.
            if (scans % 3 != 0 && scan.Unsent.Count > 0)
            {
                await storage.Outbox.RecordSentAsync([.. scan.Unsent.Select(e => e.EventId)], DateTimeOffset.UtcNow, default);
            }

            if (await storage.Outbox.AdvanceAsync(scan, default))
            {
                moves++;
            }
        }

        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(WriteAsync)).ToArray();
        while (!writers.All(w => w.IsCompleted))
        {
            await SweepOnceAsync();
            await Task.Delay(50);
        }

        await Task.WhenAll(writers);
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        await SweepOnceAsync();

        var missed = committed.Where(id => !seen.ContainsKey(id)).ToList();
        output.WriteLine($"{committed.Count} events committed by 4 writers; {scans} scans, {moves} checkpoint moves; " +
            $"{seen.Count} events seen, {seen.Values.Count(n => n > 1)} of them more than once (the broker drops those repeats); {missed.Count} missed");
        Assert.True(committed.Count >= 100, $"only {committed.Count} events were committed");
        Assert.True(moves >= 3, $"the checkpoint moved {moves} times");
        Assert.Empty(missed);
        Assert.Empty(await storage.Outbox.GetUnsentAsync(10, default));
    }
}
