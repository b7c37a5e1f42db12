namespace Payments.Messaging;

/// <summary>
/// Sends messages to a queue or a topic: <see cref="ServiceBus.ServiceBusMessageSender"/> (Azure.Messaging.ServiceBus)
/// in Azure, the in-process bus standalone. Both throw <see cref="MessageSendException"/> when a send failed for good
/// (after retries). A send may take long (the SDK's retries, a namespace that never answers): on a request path, bound
/// it with <see cref="BoundedSend"/>.
/// </summary>
public interface IMessageSender
{
    /// <param name="entityPath">The queue or topic name (not a subscription).</param>
    Task SendAsync(string entityPath, OutgoingMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends the messages as one batch, all or nothing, when they fit the broker's batch size; else in several batches, in
    /// order, where a failure may leave the earlier batches sent (sending all again is safe: every message has a stable
    /// MessageId). An empty list sends nothing.
    /// </summary>
    Task SendBatchAsync(string entityPath, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken = default);
}
