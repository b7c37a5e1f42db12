namespace Payments.Core.Providers;

public enum ProviderFailure
{
    /// <summary>Network error, 5xx, or an open circuit: try later (502).</summary>
    Unavailable,

    /// <summary>No answer in time; the outcome of a write is unknown (504).</summary>
    Timeout,

    /// <summary>The provider refused the request (4xx other than 404/429) (422).</summary>
    Rejected,

    /// <summary>The provider does not know the object (404).</summary>
    NotFound,
}

/// <summary>
/// A provider call that did not succeed. The provider's raw error body is kept in <see cref="RawBody"/> for
/// diagnostics but never put into <see cref="Exception.Message"/>, which must stay free of secrets and PII.
/// Each provider has its own marker type, built in one place (Payments.Providers' <c>ProviderFailureException</c>) from the failure.
/// </summary>
public class ProviderException : Exception
{
    public ProviderException(string provider, ProviderFailure failure, string message, int? statusCode = null,
        string? providerCode = null, string? rawBody = null, Exception? innerException = null, bool notSent = false)
        : base(message, innerException)
    {
        NotSent = notSent;
        Provider = provider;
        Failure = failure;
        StatusCode = statusCode;
        ProviderCode = providerCode;
        RawBody = rawBody;
    }

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
}
