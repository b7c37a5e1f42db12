namespace Payments.Messaging;

/// <summary>
/// Sends messages to a queue or a topic: the Service Bus REST sender in Azure, the in-process bus standalone.
/// Both throw <see cref="MessageSendException"/> when a send failed for good (after retries).
/// </summary>
public interface IMessageSender
{
    /// <param name="entityPath">The queue or topic name (not a subscription).</param>
    Task SendAsync(string entityPath, OutgoingMessage message, CancellationToken cancellationToken = default);

    /// <summary>Sends the messages in one request; all or nothing. An empty list sends nothing.</summary>
    Task SendBatchAsync(string entityPath, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken = default);
}
