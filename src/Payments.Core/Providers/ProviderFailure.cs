namespace Payments.Core.Providers;

/// <summary>What kind of failure a provider call had; the API answers each with its own status.</summary>
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
