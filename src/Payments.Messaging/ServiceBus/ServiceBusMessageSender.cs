using System.Collections.Concurrent;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Payments.Messaging.ServiceBus;

/// <summary>
/// <see cref="IMessageSender"/> over <c>Azure.Messaging.ServiceBus</c> (AMQP): one <see cref="ServiceBusClient"/> for the
/// process (registered through <c>Microsoft.Extensions.Azure</c>) and one cached <see cref="ServiceBusSender"/> per
/// queue or topic. Retries are the client's (<see cref="ServiceBusOptions.RetryOptions"/>); what still fails is a
/// <see cref="MessageSendException"/> with the SDK's <see cref="ServiceBusException.Reason"/> and
/// <see cref="ServiceBusException.IsTransient"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Retrying a send is safe because our entities have duplicate detection on and every message we send carries a stable
/// MessageId (the event or charge id): a send that reached the broker but whose answer was lost is dropped as a
/// duplicate when it comes again within the detection window.
/// </remarks>
public sealed class ServiceBusMessageSender : IMessageSender, IAsyncDisposable
{
    private readonly ServiceBusClient _client;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<ServiceBusSender>> _senders = new(StringComparer.Ordinal);

    public ServiceBusMessageSender(ServiceBusClient client, ILogger<ServiceBusMessageSender>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The namespace the client sends to (<c>ns.servicebus.windows.net</c>).</summary>
    public string FullyQualifiedNamespace => _client.FullyQualifiedNamespace;

    /// <summary>The one sender for a queue or topic, made on first use.</summary>
    public ServiceBusSender SenderFor(string entityPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entityPath);
        return _senders.GetOrAdd(entityPath, static (path, client) => new Lazy<ServiceBusSender>(() => client.CreateSender(path)), _client).Value;
    }

    public async Task SendAsync(string entityPath, OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sender = SenderFor(entityPath);
        var what = $"message {message.MessageId ?? "(no id)"}";
        try
        {
            await sender.SendMessageAsync(ToServiceBusMessage(message), cancellationToken);
        }
        catch (Exception ex) when (Failure(ex, cancellationToken))
        {
            throw Map(ex, entityPath, what);
        }

        _logger.LogDebug("Sent {What} to {Entity}", what, entityPath);
    }

    /// <summary>
    /// Sends the messages in batches made by <see cref="ServiceBusSender.CreateMessageBatchAsync(CancellationToken)"/>:
    /// one when they fit the broker's batch size (each batch is all or nothing), several otherwise. When a later batch
    /// fails the call throws and the earlier ones were sent: sending all again is safe (the broker drops the repeats).
    /// </summary>
    public async Task SendBatchAsync(string entityPath, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var sender = SenderFor(entityPath);
        if (messages.Count == 0)
        {
            return;
        }

        if (messages.Any(m => m is null))
        {
            throw new ArgumentException("The batch contains a null message.", nameof(messages));
        }

        var what = $"batch of {messages.Count}";
        var next = 0;
        var batches = 0;
        try
        {
            while (next < messages.Count)
            {
                using var batch = await sender.CreateMessageBatchAsync(cancellationToken);
                while (next < messages.Count && batch.TryAddMessage(ToServiceBusMessage(messages[next])))
                {
                    next++;
                }

                if (batch.Count == 0)
                {
                    throw new MessageSendException(
                        $"Sending {what} to '{entityPath}' failed: message {messages[next].MessageId ?? "(no id)"} ({messages[next].Body.Length} bytes) is larger than a batch may be ({batch.MaxSizeInBytes} bytes).",
                        entityPath, nameof(ServiceBusFailureReason.MessageSizeExceeded), isTransient: false);
                }

                await sender.SendMessagesAsync(batch, cancellationToken);
                batches++;
            }
        }
        catch (Exception ex) when (Failure(ex, cancellationToken))
        {
            throw Map(ex, entityPath, what);
        }

        _logger.LogDebug("Sent {What} to {Entity} in {Batches} batch(es)", what, entityPath, batches);
    }

    /// <summary>The SDK's message for ours: body, content type, MessageId, CorrelationId, Subject, TTL, schedule and properties.</summary>
    public static ServiceBusMessage ToServiceBusMessage(OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = new ServiceBusMessage(BinaryData.FromBytes(message.Body))
        {
            ContentType = message.ContentType,
            MessageId = message.MessageId,
            CorrelationId = message.CorrelationId,
            Subject = message.Subject,
        };
        if (message.TimeToLive is { } ttl)
        {
            result.TimeToLive = ttl;
        }

        if (message.ScheduledEnqueueTimeUtc is { } at)
        {
            result.ScheduledEnqueueTime = at;
        }

        foreach (var (name, value) in message.ApplicationProperties)
        {
            result.ApplicationProperties[name] = value;
        }

        return result;
    }

    /// <summary>Closes the senders it made (the client, owned by the Azure client factory, closes the connection).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders.Values.Where(s => s.IsValueCreated))
        {
            await sender.Value.DisposeAsync();
        }

        _senders.Clear();
    }

    /// <summary>What is mapped to <see cref="MessageSendException"/>; the caller's own cancellation is not.</summary>
    private static bool Failure(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        MessageSendException => false,
        ServiceBusException or UnauthorizedAccessException or AuthenticationFailedException or TimeoutException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>
    /// The SDK's failure as ours. Messages are built here, not copied from the SDK's, so that nothing the SDK might
    /// include about the connection travels into logs (the inner exception keeps the detail for a debugger).
    /// </summary>
    private static MessageSendException Map(Exception ex, string entityPath, string what) => ex switch
    {
        ServiceBusException sb => new MessageSendException(
            $"Sending {what} to '{entityPath}' failed: {sb.Reason}{(sb.IsTransient ? " (transient, after the client's retries)" : string.Empty)}{Meaning(sb.Reason)}.",
            entityPath, sb.Reason.ToString(), sb.IsTransient, ex),
        UnauthorizedAccessException => new MessageSendException(
            $"Sending {what} to '{entityPath}' failed: not authorized (check the key, or the identity's Azure Service Bus Data Sender role).",
            entityPath, "Unauthorized", isTransient: false, ex),
        AuthenticationFailedException => new MessageSendException(
            $"Sending {what} to '{entityPath}' failed: no Entra ID token ({ex.GetType().Name}).",
            entityPath, "Unauthorized", isTransient: false, ex),
        _ => new MessageSendException(
            $"Sending {what} to '{entityPath}' failed: a timeout ({ex.GetType().Name}).",
            entityPath, "Timeout", isTransient: true, ex),
    };

    private static string Meaning(ServiceBusFailureReason reason) => reason switch
    {
        ServiceBusFailureReason.MessagingEntityNotFound => ": no such queue or topic",
        ServiceBusFailureReason.MessagingEntityDisabled => ": the queue or topic is disabled",
        ServiceBusFailureReason.QuotaExceeded => ": the entity is full",
        ServiceBusFailureReason.MessageSizeExceeded => ": the message is too large",
        ServiceBusFailureReason.ServiceCommunicationProblem => ": the namespace could not be reached",
        ServiceBusFailureReason.ServiceBusy => ": the namespace is throttling",
        ServiceBusFailureReason.ServiceTimeout => ": the namespace did not answer in time",
        _ => string.Empty,
    };
}
