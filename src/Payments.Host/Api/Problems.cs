using Microsoft.AspNetCore.Http.HttpResults;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;
using Payments.Storage.Tables;

namespace Payments.Host.Api;

/// <summary>
/// Every error this API returns: RFC 9457 problem details with a stable <c>type</c>. Clients switch on
/// <c>type</c>; <c>title</c> and <c>detail</c> are for people and may change.
/// </summary>
public static class Problems
{
    public const string TypePrefix = "urn:payments:problem:";

    public static ProblemHttpResult Problem(int status, string slug, string title, string? detail = null,
        IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypePrefix + slug, extensions: extensions);

    public static ProblemHttpResult Validation(IReadOnlyList<ValidationIssue> issues)
    {
        var status = issues.Any(i => i.Kind == IssueKind.Invalid) ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity;
        var errors = issues
            .Where(i => status == StatusCodes.Status422UnprocessableEntity || i.Kind == IssueKind.Invalid)
            .GroupBy(i => i.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (object?)g.Select(i => i.Message).ToArray(), StringComparer.Ordinal);
        return status == StatusCodes.Status400BadRequest
            ? Problem(status, "validation-failed", "The request is invalid.", "One or more fields are invalid; see errors.",
                new Dictionary<string, object?> { ["errors"] = errors })
            : Problem(status, "unprocessable", "The request cannot be processed.", "The request is well formed but cannot be carried out; see errors.",
                new Dictionary<string, object?> { ["errors"] = errors });
    }

    public static ProblemHttpResult MalformedJson(string detail) =>
        Problem(StatusCodes.Status400BadRequest, "malformed-json", "The body is not valid JSON for this request.", detail);

    public static ProblemHttpResult BodyTooLarge(long limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "body-too-large", "The request body is too large.",
            $"Bodies are limited to {limit} bytes.");

    public static ProblemHttpResult UnsupportedMediaType(string expected) =>
        Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported content type.",
            $"Send {expected}.");

    public static ProblemHttpResult NotFound(string what) =>
        Problem(StatusCodes.Status404NotFound, "not-found", "Not found.", $"No such {what}.");

    public static ProblemHttpResult Unauthorized() =>
        Problem(StatusCodes.Status401Unauthorized, "unauthorized", "Missing or invalid API key.", "Send a valid key in the X-Api-Key header.");

    public static ProblemHttpResult InvalidHeader(string header, string message) =>
        Problem(StatusCodes.Status400BadRequest, "invalid-header", $"The {header} header is invalid.", $"{header} {message}.",
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, object?> { [header] = new[] { message } } });

    /// <summary>422 naming the provider and the capability it lacks (decided before anything is written).</summary>
    public static ProblemHttpResult CapabilityNotSupported(string provider, ProviderCapabilities capability)
    {
        var name = capability.ToString().ToLowerInvariant();
        return Problem(StatusCodes.Status422UnprocessableEntity, "capability-not-supported", "The provider cannot do this.",
            $"Provider '{provider}' does not support {name}.",
            new Dictionary<string, object?> { ["provider"] = provider, ["capability"] = name });
    }

    /// <summary>Seconds a caller should wait before repeating a request that met a storage outage.</summary>
    public const int StorageRetryAfterSeconds = 5;

    /// <summary>Seconds a caller should wait before repeating a request that met an order too busy to write.</summary>
    public const int OrderBusyRetryAfterSeconds = 1;

    /// <summary>
    /// 503: Table Storage could not be reached (see <see cref="StorageFailures.IsUnavailable"/>). Sent
    /// with <c>Retry-After</c> (<see cref="Transient"/>): the same request, repeated, is safe and will be answered.
    /// </summary>
    public static ProblemHttpResult StorageUnavailable() =>
        Problem(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "Order storage is unavailable.",
            "Table Storage could not be reached. Send the same request again (with the same Idempotency-Key) after Retry-After seconds.");

    /// <summary><see cref="StorageUnavailable"/> with its <c>Retry-After</c>.</summary>
    public static RetryAfterResult StorageUnavailableRetry() => new(StorageUnavailable(), StorageRetryAfterSeconds);

    /// <summary>409: the order kept changing under every write attempt; nothing of this request was written. With <c>Retry-After</c>.</summary>
    public static ProblemHttpResult OrderBusy(string orderId) =>
        Problem(StatusCodes.Status409Conflict, "order-busy", "The order is being changed by other requests.",
            "Nothing of this request was written. Send it again after Retry-After seconds.",
            new Dictionary<string, object?> { ["orderId"] = orderId });

    /// <summary>
    /// The failures that are nobody's fault and pass: storage unavailable (503) and an order too busy to write (409),
    /// as a problem with its <c>Retry-After</c>; null for anything else. The one mapping the last-line exception
    /// handler and the shopper's return use.
    /// </summary>
    public static RetryAfterResult? Transient(Exception? error) => error switch
    {
        OrderContentionException busy => new RetryAfterResult(OrderBusy(busy.OrderId), OrderBusyRetryAfterSeconds),
        _ when StorageFailures.IsUnavailable(error) => StorageUnavailableRetry(),
        _ => null,
    };

    /// <summary>A provider call that failed: 504 on a timeout, 422 when it refused, else 502. With the order it concerned, if any.</summary>
    public static ProblemHttpResult ProviderFailed(ProviderException error, Order? order = null)
    {
        var (status, slug, title) = error.Failure switch
        {
            ProviderFailure.Timeout => (StatusCodes.Status504GatewayTimeout, "provider-timeout", "The payment provider did not answer in time."),
            ProviderFailure.Rejected => (StatusCodes.Status422UnprocessableEntity, "provider-rejected", "The payment provider refused the request."),
            ProviderFailure.NotFound => (StatusCodes.Status502BadGateway, "provider-unavailable", "The payment provider does not know this payment."),
            _ => (StatusCodes.Status502BadGateway, "provider-unavailable", "The payment provider is unavailable."),
        };
        var extensions = new Dictionary<string, object?> { ["provider"] = error.Provider };
        if (order is not null)
        {
            extensions["orderId"] = order.Id;
            extensions["orderStatus"] = order.Status;
        }

        return Problem(status, slug, title, error.Message, extensions);
    }
}
