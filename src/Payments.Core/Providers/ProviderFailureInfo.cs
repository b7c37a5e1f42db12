namespace Payments.Core.Providers;

/// <summary>A failed provider call, classified: everything a <see cref="ProviderException"/> carries, in one record.</summary>
/// <param name="Provider">The provider name ("next").</param>
/// <param name="Failure">What kind of failure it was.</param>
/// <param name="Message">A message free of secrets, PII and response bodies.</param>
/// <param name="StatusCode">The HTTP status, when there was a response.</param>
/// <param name="ProviderCode">The provider's error code, when its body names one.</param>
/// <param name="RawBody">The provider's raw error body (truncated), for diagnostics only.</param>
/// <param name="InnerException">The transport or timeout exception, when there was one.</param>
/// <param name="NotSent">The request certainly never reached the provider (see <see cref="ProviderException.NotSent"/>).</param>
public sealed record ProviderFailureInfo(
    string Provider,
    ProviderFailure Failure,
    string Message,
    int? StatusCode,
    string? ProviderCode,
    string? RawBody,
    Exception? InnerException,
    bool NotSent = false)
{
    /// <summary>
    /// <paramref name="failure"/> of a call made before a money-moving request (the read a refund starts with): the
    /// money-moving request itself was never sent, whatever the read's own failure was.
    /// </summary>
    public static ProviderFailureInfo BeforeSending(ProviderException failure) =>
        new(failure.Provider, failure.Failure, failure.Message, failure.StatusCode, failure.ProviderCode, failure.RawBody, failure, NotSent: true);
}
