using System.Net;

namespace Payments.Storage.Tables;

/// <summary>
/// A Table Storage request that failed: the HTTP status and the service's error code
/// (<c>odata.error.code</c>, e.g. <c>EntityAlreadyExists</c>, <c>UpdateConditionNotSatisfied</c>).
/// Messages never contain the account key, the Authorization header or a SAS token.
/// </summary>
public class TableStorageException : Exception
{
    public TableStorageException()
    {
    }

    public TableStorageException(string message)
        : base(message)
    {
    }

    public TableStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TableStorageException(string message, HttpStatusCode statusCode, string? errorCode, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    /// <summary>The HTTP status of the failed request (or of the failed operation inside a transaction).</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The service's error code from the JSON <c>odata.error.code</c>, when it sent one.</summary>
    public string? ErrorCode { get; }

    /// <summary>409: the entity (or table) exists already. After a retried insert this may be our own first attempt.</summary>
    public bool IsConflict => StatusCode == HttpStatusCode.Conflict;

    /// <summary>412: the ETag in If-Match no longer matches. After a retried update this may be our own first attempt.</summary>
    public bool IsPreconditionFailed => StatusCode == HttpStatusCode.PreconditionFailed;

    /// <summary>404: the entity or table does not exist.</summary>
    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    /// <summary>
    /// Storage could not be reached or could not serve the request, after this client's own retries: no
    /// connection (refused, reset, name not resolved), a timeout, or a 408, 429 or 5xx answer. The request may
    /// be sent again later; nothing about it was wrong. A malformed answer or a 4xx about the request is not this.
    /// </summary>
    public bool IsUnavailable =>
        StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)StatusCode >= 500
        || InnerException is HttpRequestException or Polly.Timeout.TimeoutRejectedException;

    /// <summary>
    /// The one place that decides whether a failure means "Table Storage is unavailable, try again later"
    /// (<see cref="IsUnavailable"/>), looking through wrapping exceptions (aggregates, inner exceptions).
    /// </summary>
    public static bool IsStorageUnavailable(Exception? error)
    {
        for (var depth = 0; error is not null && depth < 8; depth++)
        {
            switch (error)
            {
                case TableStorageException storage:
                    return storage.IsUnavailable;
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    error = aggregate.InnerExceptions[0];
                    continue;
                default:
                    error = error.InnerException;
                    continue;
            }
        }

        return false;
    }
}

/// <summary>
/// An entity-group transaction (<c>$batch</c>) that was rejected as a whole: nothing was written.
/// <see cref="FailedActionIndex"/> says which action (0-based, in the order given) failed, and
/// <see cref="TableStorageException.StatusCode"/> is that action's status (412 for a stale ETag, 409 for an
/// insert of an existing entity, 404 for an update of a missing one).
/// </summary>
public sealed class TableTransactionFailedException : TableStorageException
{
    public TableTransactionFailedException()
    {
    }

    public TableTransactionFailedException(string message)
        : base(message)
    {
    }

    public TableTransactionFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TableTransactionFailedException(string message, HttpStatusCode statusCode, string? errorCode, int? failedActionIndex)
        : base(message, statusCode, errorCode)
    {
        FailedActionIndex = failedActionIndex;
    }

    /// <summary>The 0-based index of the action that failed, when the service said (it always does for a single changeset).</summary>
    public int? FailedActionIndex { get; }
}
