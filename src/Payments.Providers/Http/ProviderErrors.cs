using System.Net;
using System.Text;
using Payments.Core.Providers;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Payments.Providers.Http;

/// <summary>
/// The one place where a failed provider call becomes a <see cref="ProviderException"/>. Messages name the
/// provider, the method, the path and the status only: never a header (tokens), a query string, or the body
/// (which can carry PII); the raw body is kept in <see cref="ProviderException.RawBody"/> for diagnostics.
/// </summary>
public static class ProviderErrors
{
    /// <summary>Raw error bodies are kept up to this many characters.</summary>
    public const int MaxRawBodyChars = 8 * 1024;

    /// <summary>
    /// Status → failure. 404 is NotFound; 408 and 504 are timeouts (nothing came back in time; for a write the
    /// outcome is unknown); other 5xx, and a 429 still throttled after the retries, are Unavailable (try later);
    /// every other non-success status (4xx, an unfollowed 3xx) is the provider refusing the request.
    /// </summary>
    public static ProviderFailure Classify(HttpStatusCode status) => (int)status switch
    {
        404 => ProviderFailure.NotFound,
        408 or 504 => ProviderFailure.Timeout,
        429 => ProviderFailure.Unavailable,
        >= 500 => ProviderFailure.Unavailable,
        _ => ProviderFailure.Rejected,
    };

    public static async Task<ProviderException> FromResponseAsync(string provider, HttpRequestMessage request,
        HttpResponseMessage response, ProviderHttpOptions options, CancellationToken cancellationToken)
    {
        var raw = await ReadRawBodyAsync(response, cancellationToken);
        var status = (int)response.StatusCode;
        var failure = Classify(response.StatusCode);
        var message = $"{provider}: {Describe(request)} answered {status} {ReasonFor(failure)}.";

        // A 429 that is still throttled after the retries was refused before the provider did anything.
        var notSent = response.StatusCode == HttpStatusCode.TooManyRequests;
        return new ProviderException(new ProviderFailureInfo(provider, failure, message, status, ReadCode(options, raw), raw, null, notSent));
    }

    /// <summary>Maps a transport, timeout or circuit exception; null for anything else (a bug, to be rethrown).</summary>
    public static ProviderException? FromException(string provider, HttpRequestMessage request, Exception exception)
    {
        var (failure, what) = exception switch
        {
            BrokenCircuitException => (ProviderFailure.Unavailable, "was not sent: the circuit is open after repeated failures"),
            TimeoutRejectedException => (ProviderFailure.Timeout, "got no answer in time"),
            OperationCanceledException => (ProviderFailure.Timeout, "got no answer in time"),
            HttpRequestException or IOException => (ProviderFailure.Unavailable, "failed: the provider could not be reached"),
            _ => ((ProviderFailure?)null, string.Empty),
        };

        if (failure is not { } f)
        {
            return null;
        }

        return new ProviderException(new ProviderFailureInfo(provider, f, $"{provider}: {Describe(request)} {what}.", null, null, null, exception,
            NotSent(exception)));
    }

    /// <summary>
    /// Whether the request certainly never reached the provider: the circuit was open, or no connection was made (name
    /// resolution, connect, proxy tunnel). A timeout or a broken connection mid-request might have reached it.
    /// </summary>
    public static bool NotSent(Exception exception) => exception switch
    {
        BrokenCircuitException => true,
        HttpRequestException
        {
            HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.ProxyTunnelError or HttpRequestError.SecureConnectionError
        } => true,
        _ => false,
    };

    /// <summary>A 2xx whose body is not what the provider documents (unparseable, a required field missing).</summary>
    public static ProviderException InvalidResponse(string provider, HttpRequestMessage? request, HttpStatusCode status,
        string problem, string? rawBody, Exception? inner = null)
    {
        var where = request is null ? string.Empty : $"{Describe(request)} ";
        return new ProviderException(new ProviderFailureInfo(provider, ProviderFailure.Unavailable,
            $"{provider}: {where}answered {(int)status} with an unusable body: {problem}.", (int)status, null, Truncate(rawBody), inner));
    }

    private static string Describe(HttpRequestMessage request) => $"{request.Method} {request.RequestUri?.AbsolutePath}";

    private static string ReasonFor(ProviderFailure failure) => failure switch
    {
        ProviderFailure.NotFound => "(not found)",
        ProviderFailure.Timeout => "(timed out)",
        ProviderFailure.Unavailable => "(unavailable)",
        _ => "(rejected)",
    };

    private static string? ReadCode(ProviderHttpOptions options, string? raw)
    {
        if (raw is null || options.ReadErrorCode is null)
        {
            return null;
        }

        try
        {
            return options.ReadErrorCode(raw);
        }
        catch (Exception)
        {
            // An odd error body must not hide the error itself.
            return null;
        }
    }

    private static async Task<string?> ReadRawBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new char[MaxRawBodyChars];
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var read = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
            return read == 0 ? null : new string(buffer, 0, read);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    private static string? Truncate(string? raw) => raw is { Length: > MaxRawBodyChars } ? raw[..MaxRawBodyChars] : raw;
}
