namespace Payments.Messaging.InProcess;

/// <summary>
/// The bus's topology: the declared queues and topics (<see cref="Entity"/>), the mailbox each queue or topic
/// subscription keeps (<see cref="Mailbox"/>: its messages, handler and dead letters), and the stored messages. Kept
/// apart from the send/deliver logic in InProcessBus.cs; everything here is used under <c>_gate</c>.
/// </summary>
public sealed partial class InProcessBus
{
    private Entity GetOrAdd(string name, bool isTopic)
    {
        if (_entities.TryGetValue(name, out var existing))
        {
            if (existing.IsTopic != isTopic)
            {
                throw new InvalidOperationException($"'{name}' is already a {(existing.IsTopic ? "topic" : "queue")}.");
            }

            return existing;
        }

        var entity = new Entity(name, isTopic);
        _entities[name] = entity;
        return entity;
    }

    private Mailbox SubscriptionMailbox(string topicName, string subscriptionName)
    {
        var topic = GetOrAdd(topicName, isTopic: true);
        if (!topic.Subscriptions.TryGetValue(subscriptionName, out var mailbox))
        {
            mailbox = new Mailbox(topic.Name, subscriptionName, _options.MaxDeliveryCount);
            topic.Subscriptions[subscriptionName] = mailbox;
        }

        return mailbox;
    }

    private static void Attach(Mailbox mailbox, IMessageHandler handler, int? maxDeliveryCount)
    {
        if (mailbox.Handler is not null)
        {
            throw new InvalidOperationException($"'{mailbox.Path}' already has a handler; give each function its own queue or subscription.");
        }

        mailbox.Handler = handler;
        if (maxDeliveryCount is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1, nameof(maxDeliveryCount));
            mailbox.MaxDeliveryCount = max;
        }
    }

    private Mailbox Find(string queueOrTopicName, string? subscriptionName)
    {
        if (!_entities.TryGetValue(queueOrTopicName, out var entity))
        {
            throw new ArgumentException($"The in-process bus has no entity '{queueOrTopicName}'.", nameof(queueOrTopicName));
        }

        if (subscriptionName is null)
        {
            return entity.Queue ?? throw new ArgumentException($"'{queueOrTopicName}' is a topic: name a subscription.", nameof(subscriptionName));
        }

        return entity.Subscriptions.TryGetValue(subscriptionName, out var mailbox)
            ? mailbox
            : throw new ArgumentException($"Topic '{queueOrTopicName}' has no subscription '{subscriptionName}'.", nameof(subscriptionName));
    }

    private sealed class Entity(string name, bool isTopic)
    {
        public string Name { get; } = name;

        public bool IsTopic { get; } = isTopic;

        public Mailbox? Queue { get; set; }

        public Dictionary<string, Mailbox> Subscriptions { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>MessageId → when it was first accepted, for duplicate detection.</summary>
        public Dictionary<string, DateTimeOffset> SeenIds { get; } = new(StringComparer.Ordinal);

        public List<Mailbox> Mailboxes() => Queue is { } queue ? [queue] : [.. Subscriptions.Values];

        public void ForgetOldIds(DateTimeOffset before)
        {
            foreach (var (id, at) in SeenIds)
            {
                if (at <= before)
                {
                    SeenIds.Remove(id);
                }
            }
        }
    }

    private sealed class Mailbox(string entityPath, string? subscriptionName, int maxDeliveryCount)
    {
        public string EntityPath { get; } = entityPath;

        public string? SubscriptionName { get; } = subscriptionName;

        public string Path => SubscriptionName is null ? EntityPath : $"{EntityPath}/Subscriptions/{SubscriptionName}";

        public IMessageHandler? Handler { get; set; }

        public int MaxDeliveryCount { get; set; } = maxDeliveryCount;

        public List<Stored> Messages { get; } = [];

        public List<DeadLetteredMessage> DeadLetters { get; } = [];
    }

    /// <summary>One message in one queue or subscription.</summary>
    private sealed class Stored(MessageData data, DateTimeOffset visibleAt)
    {
        public MessageData Data { get; } = data;

        public DateTimeOffset VisibleAt { get; set; } = visibleAt;

        public int DeliveryCount { get; set; }

        public bool Locked { get; set; }
    }

    /// <summary>What was sent, shared by the copies a topic makes.</summary>
    private sealed class MessageData
    {
        public MessageData(OutgoingMessage message, string messageId, long sequence, DateTimeOffset enqueuedAt)
        {
            Body = message.Body.ToArray();
            ContentType = message.ContentType;
            MessageId = messageId;
            Sequence = sequence;
            EnqueuedAt = enqueuedAt;
            ExpiresAt = message.TimeToLive is { } ttl ? enqueuedAt + ttl : null;
            CorrelationId = message.CorrelationId;
            Subject = message.Subject;
            Properties = new Dictionary<string, string>(message.ApplicationProperties, StringComparer.Ordinal);
        }

        public byte[] Body { get; }

        public string? ContentType { get; }

        public string MessageId { get; }

        public long Sequence { get; }

        public DateTimeOffset EnqueuedAt { get; }

        public DateTimeOffset? ExpiresAt { get; }

        public string? CorrelationId { get; }

        public string? Subject { get; }

        public Dictionary<string, string> Properties { get; }

        public ReceivedMessage ToReceived(int deliveryCount) => new()
        {
            Body = Body,
            ContentType = ContentType,
            MessageId = MessageId,
            DeliveryCount = deliveryCount,
            EnqueuedTimeUtc = EnqueuedAt,
            SequenceNumber = Sequence,
            CorrelationId = CorrelationId,
            Subject = Subject,
            ApplicationProperties = Properties,
        };
    }
}
