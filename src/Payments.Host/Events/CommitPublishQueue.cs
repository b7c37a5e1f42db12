using System.Diagnostics;
using System.Threading.Channels;
using Payments.Core.Charges;
using Payments.Core.Events;
using Payments.Core.Orders;
using Payments.Core.Telemetry;

namespace Payments.Host.Events;

/// <summary>
/// The <see cref="IOrderChangeObserver"/> of the app: takes each committed change off the request that made it and has
/// <see cref="OrderCommitPublisher"/> publish it in the background, so the shopper's <c>303</c> and a provider's webhook
/// answer wait for neither the Service Bus send nor the record that it was sent.
/// </summary>
/// <remarks>
/// Nothing can be lost here: the change is committed before it is queued, its events wait in the outbox (<c>Pending</c>)
/// and its charges are queued on the order, so whatever this queue does not publish (full, the app stopping, a failed
/// send) the <c>OutboxSweep</c> and <c>ChargeSweep</c> timers send. Nothing is delivered twice either: an event published
/// here and again by a sweep has one MessageId (the event id), which the broker's duplicate detection drops, exactly as
/// for a sweep that meets an after-commit send today. Bounded: at most <see cref="Capacity"/> changes wait and
/// <see cref="Workers"/> publish at once, each bounded by <see cref="OutboxDispatcher.ImmediateTimeout"/>; a hosted
/// service, so a stopping app drains what is queued (within the host's shutdown timeout) instead of dropping it silently.
/// </remarks>
public sealed class CommitPublishQueue(IServiceProvider services, OutboxSentLog sentLog, ILogger<CommitPublishQueue> logger) : IOrderChangeObserver, IHostedService
{
    /// <summary>Changes that may wait to be published; beyond it they are left to the sweeps (logged).</summary>
    public const int Capacity = 4096;

    /// <summary>Publishes running at once.</summary>
    public const int Workers = 8;

    private readonly Channel<Committed> _queue = Channel.CreateBounded<Committed>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = false,
        SingleWriter = false,
    });

    private readonly Lock _lock = new();

    // Resolved by the first worker that publishes, not when the host starts (it starts this queue): building the publisher
    // builds the Service Bus sender and the storage client, which start-up does not need.
    private OrderCommitPublisher? _publisher;
    private Task[] _workers = [];
    private int _unfinished;

    /// <summary>Changes queued or being published right now.</summary>
    public int Unfinished => Volatile.Read(ref _unfinished);

    public Task OnCommittedAsync(Order before, Order after, IReadOnlyList<PaymentEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0 && !OrderCommitPublisher.QueuedCharges(before, after).Any())
        {
            return Task.CompletedTask;
        }

        Interlocked.Increment(ref _unfinished);
        if (!_queue.Writer.TryWrite(new Committed(before, after, events, Activity.Current?.Context)))
        {
            Interlocked.Decrement(ref _unfinished);
            logger.LogWarning("Order {OrderId}: the publish queue is full or stopped; its {Count} event(s) and new charges are left to the sweeps",
                after.Id, events.Count);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Completes when nothing is queued or being published, and what was published is recorded (tests, tools). Polls: cheap,
    /// and never on a request's path.
    /// </summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (Unfinished > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }

        await sentLog.FlushAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_workers.Length == 0)
            {
                _workers = new Task[Workers];
                for (var i = 0; i < Workers; i++)
                {
                    _workers[i] = Task.Run(WorkAsync, CancellationToken.None);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Takes no more changes and publishes what is queued, until the host's shutdown timeout; the sweeps send the rest.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        Task[] workers;
        lock (_lock)
        {
            workers = _workers;
        }

        try
        {
            await Task.WhenAll(workers).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Stopping with {Count} committed change(s) not published yet; the sweeps send them", Unfinished);
        }
    }

    private async Task WorkAsync()
    {
        await foreach (var change in _queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                // The publish belongs to the trace of the commit that queued it (one payment, one trace): a span whose parent
                // is the one that was current then (the settle span, or the request's), which has ended by now.
                using var activity = change.Parent is { } parent
                    ? PaymentsTelemetry.Source.StartActivity(PaymentsTelemetry.Spans.CommitPublish, ActivityKind.Internal, parent)
                    : null;
                activity?.SetTag(PaymentsTelemetry.Tags.OrderId, change.After.Id);

                // Never throws by contract, and bounds itself (OutboxDispatcher.ImmediateTimeout, ChargeQueue.SendTimeout).
                _publisher ??= services.GetRequiredService<OrderCommitPublisher>();
                await _publisher.OnCommittedAsync(change.Before, change.After, change.Events, CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Order {OrderId}: publishing after the commit failed; the sweeps will send it", change.After.Id);
            }
            finally
            {
                Interlocked.Decrement(ref _unfinished);
            }
        }
    }

    private sealed record Committed(Order Before, Order After, IReadOnlyList<PaymentEvent> Events, ActivityContext? Parent);
}
