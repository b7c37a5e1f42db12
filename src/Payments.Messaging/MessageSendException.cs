using System.Net;

namespace Payments.Messaging;

/// <summary>
/// A send that failed for good: the HTTP status when the broker answered, else a network failure or timeout
/// (<see cref="Exception.InnerException"/>). The message never contains a key, a SAS token or a bearer token.
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

    public MessageSendException(string message, string entityPath, HttpStatusCode? statusCode, bool isTransient, int attempts, Exception? innerException = null)
        : base(message, innerException)
    {
        EntityPath = entityPath;
        StatusCode = statusCode;
        IsTransient = isTransient;
        Attempts = attempts;
    }

    /// <summary>The queue or topic the send was for.</summary>
    public string? EntityPath { get; }

    /// <summary>The broker's HTTP status, when it answered (401 bad credentials, 403 quota or size, 404/410 no such entity).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>True when trying again later may succeed (5xx, 408, 429, timeouts, network errors): the outbox keeps the row.</summary>
    public bool IsTransient { get; }

    /// <summary>How many requests were made.</summary>
    public int Attempts { get; }
}
