using Payments.Core.Events;
using Payments.Core.Telemetry;
using Payments.Messaging;

namespace Payments.Host.Events;

/// <summary>
/// Publishes outbox events to the <c>payment-events</c> topic (MessageId = event id, so the broker drops a repeat) and
/// records them sent: right after each commit (<see cref="DispatchAsync"/>, best effort; recorded in batches by
/// <see cref="OutboxSentLog"/>) and from the <c>OutboxSweep</c> timer (<see cref="SweepAsync"/>) for whatever that left
/// behind. Nothing is lost while Service Bus is down: the events wait in the outbox.
/// </summary>
public sealed class OutboxDispatcher(
    IOutboxReader outbox, IMessageSender sender, OutboxSentLog sentLog, TimeProvider clock, ILogger<OutboxDispatcher> logger)
{
    /// <summary>Events per send (one AMQP batch; all or nothing). Well under the 256 KB batch limit of the Standard tier.</summary>
    public const int BatchSize = 50;

    /// <summary>Events one sweep publishes at most; the next sweep goes on.</summary>
    public const int MaxPerSweep = 1000;

    /// <summary>
    /// How long the publish after a commit may hold up the request that made the change (<see cref="BoundedSend"/>:
    /// returns by then even when the send is still connecting; the sweep sends what it did not).
    /// </summary>
    public static readonly TimeSpan ImmediateTimeout = TimeSpan.FromSeconds(5);

    /// <summary>After a failed send, publishes after commits are left to the sweep for this long (requests stay fast during an outage).</summary>
    public static readonly TimeSpan BackOff = TimeSpan.FromSeconds(30);

    // The payments.path tag of a publish, and which way its record is written (batched after a commit, at once by a sweep).
    private const string CommitPath = "commit";
    private const string SweepPath = "sweep";

    private long _pausedUntilTicks;

    /// <summary>The message for an event: JSON (camelCase), MessageId = event id, CorrelationId = order id, Subject = event type.</summary>
    public static OutgoingMessage Message(PaymentEvent paymentEvent)
    {
        var message = OutgoingMessage.FromJson(paymentEvent) with
        {
            MessageId = paymentEvent.EventId,
            CorrelationId = paymentEvent.OrderId,
            Subject = paymentEvent.Type,
        };

        // For subscription filters (SQL filters on application properties).
        message.ApplicationProperties["eventType"] = paymentEvent.Type;
        message.ApplicationProperties["provider"] = paymentEvent.Provider;
        return message;
    }

    /// <summary>Publishes the events of a change just committed. Never throws: what it cannot send, the sweep sends.</summary>
    public async Task DispatchAsync(IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        if (clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _pausedUntilTicks))
        {
            logger.LogDebug("Publishing {Count} event(s) left to the outbox sweep: the last send failed moments ago", events.Count);
            return;
        }

        try
        {
            // Our own bound, not only a token: the SDK ignores the token while it connects (each attempt against a
            // silent endpoint waits its TryTimeout + 5 s), and this runs before the shopper gets the 303.
            await BoundedSend.RunAsync(ct => PublishAsync(events, CommitPath, ct), MessagingEntities.PaymentEvents, ImmediateTimeout, clock, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _pausedUntilTicks, (clock.GetUtcNow() + BackOff).UtcTicks);
            logger.LogWarning("Publishing {Count} event(s) after the commit failed ({Error}); they wait in the outbox for the sweep",
                events.Count, ex.Message);
        }
    }

    /// <summary>
    /// Publishes the unsent outbox events, oldest first, up to <see cref="MaxPerSweep"/>, and returns how many it published;
    /// when that was all of them, moves the outbox checkpoint on, so the next sweep reads only what was committed since.
    /// Throws when the broker refuses (the timer run fails, the checkpoint stays, and the next run tries again).
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var scan = await outbox.ScanAsync(MaxPerSweep, cancellationToken);
        var published = 0;
        foreach (var chunk in scan.Unsent.Chunk(BatchSize))
        {
            await PublishAsync([.. chunk.Select(e => e.Event)], SweepPath, cancellationToken);
            published += chunk.Length;
        }

        // Every event of a complete scan is published now (and recorded, or published once more by a later sweep).
        await outbox.AdvanceAsync(scan, cancellationToken);

        // What the commits had left unsent (the sweep published it): the outbox backlog gauge.
        PaymentsTelemetry.RecordOutboxBacklog(published);

        if (published > 0)
        {
            Interlocked.Exchange(ref _pausedUntilTicks, 0);
            logger.LogInformation("Outbox sweep published {Count} event(s)", published);
        }

        return published;
    }

    private async Task PublishAsync(IReadOnlyList<PaymentEvent> events, string path, CancellationToken cancellationToken)
    {
        using (var activity = PaymentsTelemetry.Source.StartActivity(PaymentsTelemetry.Spans.OutboxPublish))
        {
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag(PaymentsTelemetry.Tags.Path, path);
                activity.SetTag(PaymentsTelemetry.Tags.Count, events.Count);
                if (events.Select(e => e.OrderId).Distinct(StringComparer.Ordinal).Count() == 1)
                {
                    activity.SetTag(PaymentsTelemetry.Tags.OrderId, events[0].OrderId);
                }
            }

            await sender.SendBatchAsync(MessagingEntities.PaymentEvents, [.. events.Select(Message)], cancellationToken);
        }

        var sentAt = clock.GetUtcNow();
        var pathTag = new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Path, path);
        PaymentsTelemetry.OutboxPublished.Add(events.Count, pathTag);
        foreach (var e in events)
        {
            PaymentsTelemetry.OutboxLag.Record(Math.Max(0, (sentAt - e.OccurredAt).TotalSeconds), pathTag);
        }

        if (path == CommitPath)
        {
            // Off every request's path, many events per write.
            sentLog.Add(events.Select(e => e.EventId));
            return;
        }

        try
        {
            await outbox.RecordSentAsync([.. events.Select(e => e.EventId)], sentAt, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Published but not recorded: the next sweep publishes them again and the broker drops the repeats.
            logger.LogWarning("{Count} event(s) were published but could not be recorded as sent: {Error}", events.Count, ex.Message);
        }
    }
}
