namespace Payments.Providers.Http;

/// <summary>
/// Whether an outbound request may be sent again after a failure whose outcome is unknown (a 5xx, a network
/// error, a timeout). Only such requests are retried; everything else gets exactly one attempt, apart from
/// a 429 (see <see cref="ProviderPipelines"/>).
/// </summary>
public static class ProviderRequest
{
    /// <summary>The header that makes a POST idempotent at providers that support it (Mangopay, Stripe style).</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Set by a client on a request that is safe to repeat although its method is not (a read done by POST).</summary>
    public static readonly HttpRequestOptionsKey<bool> SafeToRetryKey = new("Payments.Providers.SafeToRetry");

    /// <summary>Marks a request as safe to send again, e.g. Neuro-Pay's POST <c>retrieve</c>.</summary>
    public static HttpRequestMessage MarkSafeToRetry(this HttpRequestMessage request)
    {
        request.Options.Set(SafeToRetryKey, true);
        return request;
    }

    /// <summary>
    /// GET and HEAD, a request a client marked with <see cref="MarkSafeToRetry"/>, and a request carrying an
    /// <c>Idempotency-Key</c> (the provider answers a repeat with the first result instead of acting twice).
    /// </summary>
    public static bool IsSafeToRetry(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get
        || request.Method == HttpMethod.Head
        || (request.Options.TryGetValue(SafeToRetryKey, out var safe) && safe)
        || request.Headers.Contains(IdempotencyKeyHeader);
}
