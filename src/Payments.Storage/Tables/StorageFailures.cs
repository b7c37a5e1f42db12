using System.Net;
using Azure;
using Azure.Data.Tables;

namespace Payments.Storage.Tables;

/// <summary>
/// How a failed Table Storage call through <c>Azure.Data.Tables</c> is read: the one place that decides "storage is
/// unavailable, try again later" (<see cref="IsUnavailable"/>), and the statuses the stores map to their outcomes.
/// </summary>
/// <remarks>
/// What the SDK throws, after its own retries (<see cref="TableStorageOptions.MaxRetryAttempts"/>):
/// <list type="bullet">
/// <item>an answer: <see cref="RequestFailedException"/> with its <see cref="RequestFailedException.Status"/> and
/// <see cref="RequestFailedException.ErrorCode"/> (<c>EntityAlreadyExists</c>, <c>UpdateConditionNotSatisfied</c>, …); a
/// rejected transaction is a <see cref="TableTransactionFailedException"/> with the failed action's status and
/// <see cref="TableTransactionFailedException.FailedTransactionActionIndex"/>;</item>
/// <item>no answer: <see cref="RequestFailedException"/> with status 0 around the <see cref="HttpRequestException"/>
/// (refused, reset, name not resolved), and an attempt that outlasted <see cref="TableStorageOptions.AttemptTimeout"/>,
/// which <see cref="TableStorageClients"/> turns into status 0 around a <see cref="TimeoutException"/> (the SDK's own
/// is an <see cref="OperationCanceledException"/>, which callers rightly read as "cancelled"); several failed attempts
/// come as one <see cref="AggregateException"/> of them.</item>
/// </list>
/// </remarks>
public static class StorageFailures
{
    /// <summary>
    /// Storage could not be reached or could not serve the request: no answer (status 0 with a transport or timeout
    /// cause), or a 408, 429 or 5xx answer, looking through wrapping exceptions (aggregates of failed attempts, inner
    /// exceptions). The request may be sent again later; nothing about it was wrong. An answer about the request (4xx),
    /// a malformed answer, or the caller's own cancellation is not this.
    /// </summary>
    public static bool IsUnavailable(Exception? error)
    {
        for (var depth = 0; error is not null && depth < 8; depth++)
        {
            switch (error)
            {
                case RequestFailedException failed:
                    return IsUnavailableStatus(failed.Status) || (failed.Status == 0 && IsNoAnswer(failed.InnerException));
                case HttpRequestException or TimeoutException:
                    return true;
                case AggregateException { InnerExceptions.Count: > 0 } aggregate:
                    // The SDK's "Retry failed after N tries": unavailable when every attempt was.
                    return aggregate.InnerExceptions.All(IsUnavailable);
                default:
                    error = error.InnerException;
                    continue;
            }
        }

        return false;
    }

    /// <summary>408, 429 and every 5xx: the service could not serve the request now.</summary>
    public static bool IsUnavailableStatus(int status) =>
        status is (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests or >= 500 and < 600;

    /// <summary>409: the entity (or table) exists already. After a retried insert this may be our own first attempt.</summary>
    public static bool IsConflict(this RequestFailedException error) => error.Status == (int)HttpStatusCode.Conflict;

    /// <summary>412: the ETag no longer matches. After a retried update or transaction this may be our own first attempt.</summary>
    public static bool IsPreconditionFailed(this RequestFailedException error) => error.Status == (int)HttpStatusCode.PreconditionFailed;

    /// <summary>404: the entity or table does not exist.</summary>
    public static bool IsNotFound(this RequestFailedException error) => error.Status == (int)HttpStatusCode.NotFound;

    private static bool IsNoAnswer(Exception? cause) => cause switch
    {
        HttpRequestException or IOException or TimeoutException or System.Net.Sockets.SocketException => true,
        null => false,
        _ => IsNoAnswer(cause.InnerException),
    };
}
