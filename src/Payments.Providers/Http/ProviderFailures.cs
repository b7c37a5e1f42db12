using Payments.Core.Providers;

namespace Payments.Providers.Http;

/// <summary>A failed provider call, classified: everything needed to build the provider's exception.</summary>
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

/// <summary>
/// A <see cref="ProviderException"/> built from a <see cref="ProviderFailureInfo"/>: the one constructor that copies a
/// failure's fields into the exception, <see cref="ProviderException.NotSent"/> included, so no provider can drop one.
/// Each provider's own exception (<c>NextException</c>, <c>TwistoException</c>, …) derives from it as a pure marker,
/// with no constructor body of its own: its type is what the providers' <c>catch (NextException ex) when …</c>
/// filters tell their own failures by. Build one through <see cref="ProviderErrors.Create"/>, which picks the
/// provider's type, or with <c>new</c> where the provider's code names its type itself.
/// </summary>
public class ProviderFailureException(ProviderFailureInfo info)
    : ProviderException(info.Provider, info.Failure, info.Message, info.StatusCode, info.ProviderCode, info.RawBody, info.InnerException,
        info.NotSent);
