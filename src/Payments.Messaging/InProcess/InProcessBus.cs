using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Payments.Messaging.InProcess;

/// <summary>
/// A Service Bus stand-in for standalone runs and tests, with the semantics our handlers rely on: named queues and
/// topics (a topic copies each message to every subscription), scheduled messages (held until
/// <see cref="OutgoingMessage.ScheduledEnqueueTimeUtc"/> by the injected <see cref="TimeProvider"/>), duplicate
/// detection by MessageId within a window, and at-least-once delivery to the subscribed handlers: a failed delivery
/// (a failure result or an exception) is redelivered, and dead-lettered after <see cref="InProcessBusOptions.MaxDeliveryCount"/>.
/// </summary>
/// <remarks>
/// Messages live in memory and are gone when the process stops. <see cref="ProcessDueAsync"/> delivers what is due
/// (tests call it directly); <see cref="InProcessBusPump"/> calls it in the background. Sending to an entity that was
/// never declared fails like Service Bus does (404), so a typo shows up in standalone runs too.
/// </remarks>
public sealed partial class InProcessBus : IMessageSender, IDisposable
{
    /// <summary>A guard against handlers that keep sending themselves new due work: one drain stops after this many deliveries.</summary>
    private const int MaxDeliveriesPerDrain = 10_000;

    private readonly object _gate = new();
    private readonly Dictionary<string, Entity> _entities = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly InProcessBusOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private long _sequence;

    public InProcessBus(InProcessBusOptions? options = null, TimeProvider? clock = null, ILogger<InProcessBus>? logger = null)
    {
        _options = options ?? new InProcessBusOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxDeliveryCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConcurrentCalls, 1);
        _clock = clock ?? TimeProvider.System;
        _logger = logger ?? NullLogger<InProcessBus>.Instance;
        foreach (var queue in _options.Queues)
        {
            DeclareQueue(queue);
        }

        foreach (var (topic, subscriptions) in _options.Topics)
        {
            DeclareTopic(topic);
            foreach (var subscription in subscriptions)
            {
                DeclareSubscription(topic, subscription);
            }
        }
    }

    /// <summary>Creates the queue if it does not exist.</summary>
    public void DeclareQueue(string queueName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        lock (_gate)
        {
            var entity = GetOrAdd(queueName, isTopic: false);
            entity.Queue ??= new Mailbox(queueName, null, _options.MaxDeliveryCount);
        }
    }

    /// <summary>Creates the topic if it does not exist. A topic without subscriptions drops what is sent to it.</summary>
    public void DeclareTopic(string topicName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topicName);
        lock (_gate)
        {
            GetOrAdd(topicName, isTopic: true);
        }
    }

    /// <summary>Creates the topic and its subscription if they do not exist.</summary>
    public void DeclareSubscription(string topicName, string subscriptionName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionName);
        lock (_gate)
        {
            SubscriptionMailbox(topicName, subscriptionName);
        }
    }

    /// <summary>Delivers the queue's messages to <paramref name="handler"/> (declaring the queue).</summary>
    public void Subscribe(string queueName, IMessageHandler handler, int? maxDeliveryCount = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        DeclareQueue(queueName);
        lock (_gate)
        {
            Attach(_entities[queueName].Queue!, handler, maxDeliveryCount);
        }
    }

    /// <summary>Delivers the subscription's messages to <paramref name="handler"/> (declaring topic and subscription).</summary>
    public void Subscribe(string topicName, string subscriptionName, IMessageHandler handler, int? maxDeliveryCount = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionName);
        lock (_gate)
        {
            Attach(SubscriptionMailbox(topicName, subscriptionName), handler, maxDeliveryCount);
        }
    }

    public Task SendAsync(string entityPath, OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendBatchAsync(entityPath, [message], cancellationToken);
    }

    public Task SendBatchAsync(string entityPath, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entityPath);
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        if (messages.Any(m => m is null))
        {
            throw new ArgumentException("The batch contains a null message.", nameof(messages));
        }

        lock (_gate)
        {
            if (!_entities.TryGetValue(entityPath, out var entity))
            {
                throw new MessageSendException(
                    $"Sending to '{entityPath}' failed: MessagingEntityNotFound (no such queue or topic in the in-process bus).",
                    entityPath, "MessagingEntityNotFound", isTransient: false);
            }

            var now = _clock.GetUtcNow();
            entity.ForgetOldIds(now - _options.DuplicateDetectionWindow);
            foreach (var message in messages)
            {
                var messageId = message.MessageId ?? Guid.NewGuid().ToString("N");
                if (entity.SeenIds.ContainsKey(messageId))
                {
                    _logger.LogDebug("In-process bus: dropped duplicate message {MessageId} sent to {Entity}", messageId, entity.Name);
                    continue;
                }

                entity.SeenIds[messageId] = now;
                var visibleAt = message.ScheduledEnqueueTimeUtc is { } at && at > now ? at : now;
                var data = new MessageData(message, messageId, Interlocked.Increment(ref _sequence), visibleAt);
                foreach (var mailbox in entity.Mailboxes())
                {
                    mailbox.Messages.Add(new Stored(data, visibleAt));
                }
            }
        }

        Signal();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Delivers every message that is due now, including redeliveries that become due meanwhile, and returns how
    /// many deliveries were made. Messages of entities nobody subscribed to stay where they are.
    /// </summary>
    public async Task<int> ProcessDueAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        while (total < MaxDeliveriesPerDrain)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = TakeDue(_options.MaxConcurrentCalls);
            if (batch.Count == 0)
            {
                break;
            }

            var deliveries = new Task[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                deliveries[i] = DeliverAsync(batch[i].Mailbox, batch[i].Stored, cancellationToken);
            }

            await Task.WhenAll(deliveries);
            total += batch.Count;
        }

        return total;
    }

    /// <summary>When the next message becomes due for a subscribed handler (now, if one is due), or null when none waits.</summary>
    public DateTimeOffset? NextDueTime()
    {
        lock (_gate)
        {
            DateTimeOffset? next = null;
            foreach (var mailbox in SubscribedMailboxes())
            {
                foreach (var stored in mailbox.Messages)
                {
                    if (!stored.Locked && (next is null || stored.VisibleAt < next))
                    {
                        next = stored.VisibleAt;
                    }
                }
            }

            return next;
        }
    }

    /// <summary>Waits until a message was sent or the next scheduled or redelivered message is due.</summary>
    public async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        var next = NextDueTime();
        var now = _clock.GetUtcNow();
        if (next is { } due && due <= now)
        {
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signal = _signal.WaitAsync(cts.Token);
        var timer = next is { } at ? Task.Delay(at - now, _clock, cts.Token) : Task.Delay(Timeout.Infinite, cts.Token);
        await Task.WhenAny(signal, timer);
        await cts.CancelAsync();
        // The other one of the two, cancelled above, ends cancelled: awaited without throwing, since an exception per wake-up
        // was a measurable share of the pump's CPU under load.
        await Task.WhenAll(signal, timer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>The dead-lettered messages of a queue, or of a topic's subscription.</summary>
    public IReadOnlyList<DeadLetteredMessage> DeadLetters(string queueOrTopicName, string? subscriptionName = null)
    {
        lock (_gate)
        {
            return [.. Find(queueOrTopicName, subscriptionName).DeadLetters];
        }
    }

    /// <summary>How many messages wait (scheduled ones included) in a queue or a topic's subscription.</summary>
    public int MessageCount(string queueOrTopicName, string? subscriptionName = null)
    {
        lock (_gate)
        {
            return Find(queueOrTopicName, subscriptionName).Messages.Count;
        }
    }

    /// <summary>The waiting messages (scheduled ones included) as a receiver would see them next.</summary>
    public IReadOnlyList<ReceivedMessage> Peek(string queueOrTopicName, string? subscriptionName = null)
    {
        lock (_gate)
        {
            return [.. Find(queueOrTopicName, subscriptionName).Messages.OrderBy(s => s.VisibleAt).ThenBy(s => s.Data.Sequence).Select(s => s.Data.ToReceived(s.DeliveryCount + 1))];
        }
    }

    public void Dispose() => _signal.Dispose();

    /// <summary>
    /// The mailboxes a handler reads (callers hold <see cref="_gate"/>). Plain loops, no LINQ, here and in its callers: the
    /// pump's first wake-up runs them as the app starts, and LINQ over these private types would be compiled then
    /// (ReadyToRun has no code for its generic instantiations here), on a cold start's busy cores.
    /// </summary>
    private List<Mailbox> SubscribedMailboxes()
    {
        var subscribed = new List<Mailbox>();
        foreach (var entity in _entities.Values)
        {
            foreach (var mailbox in entity.Mailboxes())
            {
                if (mailbox.Handler is not null)
                {
                    subscribed.Add(mailbox);
                }
            }
        }

        return subscribed;
    }

    private List<Due> TakeDue(int max)
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            var due = new List<Due>();
            foreach (var mailbox in SubscribedMailboxes())
            {
                mailbox.Messages.RemoveAll(s =>
                {
                    var expired = !s.Locked && s.Data.ExpiresAt is { } expiry && expiry <= now;
                    if (expired)
                    {
                        _logger.LogInformation("In-process bus: message {MessageId} in {Entity} expired", s.Data.MessageId, mailbox.Path);
                    }

                    return expired;
                });
                foreach (var stored in mailbox.Messages)
                {
                    if (!stored.Locked && stored.VisibleAt <= now)
                    {
                        due.Add(new Due(mailbox, stored, due.Count));
                    }
                }
            }

            // Earliest first, then in send order; ties (one message in several subscriptions) in the order found.
            due.Sort(static (a, b) =>
            {
                var byTime = a.Stored.VisibleAt.CompareTo(b.Stored.VisibleAt);
                if (byTime != 0)
                {
                    return byTime;
                }

                var bySequence = a.Stored.Data.Sequence.CompareTo(b.Stored.Data.Sequence);
                return bySequence != 0 ? bySequence : a.Found.CompareTo(b.Found);
            });
            if (due.Count > max)
            {
                due.RemoveRange(max, due.Count - max);
            }

            foreach (var taken in due)
            {
                taken.Stored.Locked = true;
                taken.Stored.DeliveryCount++;
            }

            return due;
        }
    }

    /// <summary>A message due in a mailbox, and where it was found (the order among equals).</summary>
    private sealed record Due(Mailbox Mailbox, Stored Stored, int Found);

    private async Task DeliverAsync(Mailbox mailbox, Stored stored, CancellationToken cancellationToken)
    {
        var message = stored.Data.ToReceived(stored.DeliveryCount);

        // Continues the sender's trace (its context travels in the message's properties, as over Service Bus).
        var activity = MessageTracing.StartProcess(message, mailbox.Path, mailbox.EntityPath);
        HandlerResult result;
        try
        {
            result = await mailbox.Handler!.HandleAsync(message, cancellationToken);
            MessageTracing.Stop(activity, result);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            MessageTracing.Stop(activity, null, ex);
            lock (_gate)
            {
                // Stopping: give the message back without counting the interrupted delivery.
                stored.Locked = false;
                stored.DeliveryCount--;
            }

            throw;
        }
        catch (Exception ex)
        {
            MessageTracing.Stop(activity, null, ex);
            _logger.LogError(ex, "In-process bus: handler for {Entity} threw on message {MessageId} (delivery {DeliveryCount})",
                mailbox.Path, message.MessageId, message.DeliveryCount);
            result = HandlerResult.Failure($"{ex.GetType().Name}: {ex.Message}");
        }

        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            if (result.Succeeded)
            {
                mailbox.Messages.Remove(stored);
            }
            else if (stored.DeliveryCount >= mailbox.MaxDeliveryCount)
            {
                mailbox.Messages.Remove(stored);
                mailbox.DeadLetters.Add(new DeadLetteredMessage(mailbox.EntityPath, mailbox.SubscriptionName, message,
                    DeadLetteredMessage.MaxDeliveryCountExceeded, result.Reason, now));
                _logger.LogWarning("In-process bus: dead-lettered message {MessageId} in {Entity} after {DeliveryCount} deliveries: {Reason}",
                    message.MessageId, mailbox.Path, stored.DeliveryCount, result.Reason);
            }
            else
            {
                _logger.LogWarning("In-process bus: delivery {DeliveryCount} of message {MessageId} in {Entity} failed ({Reason}); it will be redelivered",
                    stored.DeliveryCount, message.MessageId, mailbox.Path, result.Reason);
                stored.Locked = false;
                stored.VisibleAt = now + _options.RedeliveryDelay;
            }
        }

        Signal();
    }

    private void Signal()
    {
        lock (_gate)
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
    }
}
