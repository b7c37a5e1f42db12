namespace Payments.Messaging;

/// <summary>
/// A send that failed for good (after the sender's retries), or that did not finish within its caller's bound
/// (<see cref="BoundedSend"/>). <see cref="Reason"/> names the broker's failure (the SDK's <c>ServiceBusFailureReason</c>
/// such as <c>ServiceCommunicationProblem</c>, <c>MessagingEntityNotFound</c>, <c>QuotaExceeded</c>; or
/// <c>Unauthorized</c>, <c>Timeout</c>). The message never contains a key, a SAS token or a bearer token.
/// </summary>
public sealed class MessageSendException : Exception
{
    public MessageSendException()
    {
    }

    public MessageSendException(string message)
        : base(message)
    {
    }

    public MessageSendException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MessageSendException(string message, string entityPath, string? reason, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        EntityPath = entityPath;
        Reason = reason;
        IsTransient = isTransient;
    }

    /// <summary>The queue or topic the send was for.</summary>
    public string? EntityPath { get; }

    /// <summary>Why it failed, when known: a <c>ServiceBusFailureReason</c> name, <c>Unauthorized</c> or <c>Timeout</c>.</summary>
    public string? Reason { get; }

    /// <summary>True when trying again later may succeed (the broker busy or unreachable, a timeout): the outbox keeps the row.</summary>
    public bool IsTransient { get; }
}
