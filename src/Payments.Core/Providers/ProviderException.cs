namespace Payments.Core.Providers;

/// <summary>
/// A provider call that did not succeed: the one exception type for every provider's failures. The provider's raw
/// error body is kept in <see cref="RawBody"/> for diagnostics but never put into <see cref="Exception.Message"/>,
/// which must stay free of secrets and PII. Every field is copied from a <see cref="ProviderFailureInfo"/> in one
/// constructor, so no way of building one can drop a field (<see cref="NotSent"/> included); a provider tells its own
/// failures apart by <see cref="IsFrom"/> (<c>catch (ProviderException ex) when (ex.IsFrom(ProviderName) …)</c>).
/// </summary>
public sealed class ProviderException : Exception
{
    /// <summary>The one constructor that copies a failure's fields into the exception.</summary>
    public ProviderException(ProviderFailureInfo info)
        : base(info.Message, info.InnerException)
    {
        Provider = info.Provider;
        Failure = info.Failure;
        StatusCode = info.StatusCode;
        ProviderCode = info.ProviderCode;
        RawBody = info.RawBody;
        NotSent = info.NotSent;
    }

    /// <summary>The same, field by field (for fakes and tests that name a failure directly).</summary>
    public ProviderException(string provider, ProviderFailure failure, string message, int? statusCode = null,
        string? providerCode = null, string? rawBody = null, Exception? innerException = null, bool notSent = false)
        : this(new ProviderFailureInfo(provider, failure, message, statusCode, providerCode, rawBody, innerException, notSent))
    {
    }

    /// <summary>The provider's name, as its <see cref="IPaymentProvider.Name"/>.</summary>
    public string Provider { get; }

    public ProviderFailure Failure { get; }

    public int? StatusCode { get; }

    /// <summary>The provider's error code, if it sends one.</summary>
    public string? ProviderCode { get; }

    public string? RawBody { get; }

    /// <summary>
    /// True when the request certainly never reached the provider (an open circuit, no connection, a 429 that stayed
    /// throttled): repeating it cannot act twice. False means "maybe it did" for a write that failed.
    /// </summary>
    public bool NotSent { get; }

    /// <summary>Whether the failure is one of <paramref name="provider"/>'s calls (what its catch filters test).</summary>
    public bool IsFrom(string provider) => string.Equals(Provider, provider, StringComparison.Ordinal);
}
