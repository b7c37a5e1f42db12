using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Payments.Messaging.Webhooks;

/// <summary>What one delivery attempt came to.</summary>
public enum WebhookDeliveryOutcome
{
    /// <summary>2xx: done.</summary>
    Delivered,

    /// <summary>Try again later: 408, 409, 429, 3xx (redirects are not followed), 5xx, timeouts, network errors.</summary>
    RetryableFailure,

    /// <summary>Another 4xx: the endpoint refuses this delivery; trying again will not help.</summary>
    PermanentFailure,
}

/// <summary>The result of one attempt. <see cref="Error"/> never contains the secret or the signature.</summary>
public sealed record WebhookDeliveryResult(
    WebhookDeliveryOutcome Outcome,
    HttpStatusCode? StatusCode,
    string? Error,
    TimeSpan? RetryAfter,
    TimeSpan Duration)
{
    public bool Delivered => Outcome == WebhookDeliveryOutcome.Delivered;
}

/// <summary>
/// POSTs an event body to one storefront endpoint with the Standard Webhooks headers (<c>webhook-id</c> = the event id,
/// the same on every retry; <c>webhook-timestamp</c> = now; <c>webhook-signature</c>) and classifies the answer. It
/// makes exactly one attempt: retries are the caller's, by re-enqueueing with <see cref="WebhookRetrySchedule"/>.
/// Redirects are not followed (the named HttpClient under DI has auto-redirect off).
/// </summary>
public sealed class WebhookDeliverer
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client used under DI.</summary>
    public const string HttpClientName = "Payments.Messaging.Webhooks";

    private readonly Func<HttpClient> _httpClient;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;

    public WebhookDeliverer(HttpClient httpClient, TimeProvider? clock = null, TimeSpan? timeout = null, ILogger<WebhookDeliverer>? logger = null)
        : this(() => httpClient, clock, timeout, logger)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
    }

    public WebhookDeliverer(IHttpClientFactory httpClientFactory, TimeProvider? clock = null, TimeSpan? timeout = null, ILogger<WebhookDeliverer>? logger = null)
        : this(() => httpClientFactory.CreateClient(HttpClientName), clock, timeout, logger)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
    }

    private WebhookDeliverer(Func<HttpClient> httpClient, TimeProvider? clock, TimeSpan? timeout, ILogger? logger)
    {
        _httpClient = httpClient;
        _clock = clock ?? TimeProvider.System;
        _timeout = timeout ?? TimeSpan.FromSeconds(15);
        _logger = logger ?? NullLogger.Instance;
    }

    public Task<WebhookDeliveryResult> DeliverAsync(WebhookEndpoint endpoint, string webhookId, string body, CancellationToken cancellationToken = default) =>
        DeliverAsync(endpoint, webhookId, Encoding.UTF8.GetBytes(body), "application/json", cancellationToken);

    public async Task<WebhookDeliveryResult> DeliverAsync(WebhookEndpoint endpoint, string webhookId, ReadOnlyMemory<byte> body, string contentType,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds();
        var signature = StandardWebhooks.SignatureHeaderValue(endpoint.Secrets, webhookId, timestamp, body.Span);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation(StandardWebhooks.IdHeader, webhookId);
        request.Headers.TryAddWithoutValidation(StandardWebhooks.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(StandardWebhooks.SignatureHeader, signature);

        var started = _clock.GetTimestamp();
        using var timeout = new CancellationTokenSource(_timeout, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        WebhookDeliveryResult result;
        try
        {
            using var response = await _httpClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            result = Classify(response, _clock.GetElapsedTime(started), _clock.GetUtcNow());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            result = new WebhookDeliveryResult(WebhookDeliveryOutcome.RetryableFailure, null, $"no answer within {_timeout.TotalSeconds:0.#} s", null,
                _clock.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            result = new WebhookDeliveryResult(WebhookDeliveryOutcome.RetryableFailure, null, $"network error: {ex.HttpRequestError}", null,
                _clock.GetElapsedTime(started));
        }

        _logger.LogInformation("Webhook {WebhookId} to {Endpoint}: {Outcome} {Status} in {DurationMs} ms {Error}",
            webhookId, endpoint.Name, result.Outcome, (int?)result.StatusCode, (int)result.Duration.TotalMilliseconds, result.Error);
        return result;
    }

    /// <summary>2xx delivered; 4xx other than 408, 409 and 429 permanent; everything else retryable.</summary>
    public static WebhookDeliveryOutcome Classify(HttpStatusCode status) => (int)status switch
    {
        >= 200 and < 300 => WebhookDeliveryOutcome.Delivered,
        408 or 409 or 429 => WebhookDeliveryOutcome.RetryableFailure,
        >= 400 and < 500 => WebhookDeliveryOutcome.PermanentFailure,
        _ => WebhookDeliveryOutcome.RetryableFailure,
    };

    private static WebhookDeliveryResult Classify(HttpResponseMessage response, TimeSpan duration, DateTimeOffset now)
    {
        var outcome = Classify(response.StatusCode);
        var retryAfter = response.Headers.RetryAfter is { } header
            ? header.Delta ?? (header.Date is { } date && date > now ? date - now : null)
            : null;
        var error = outcome == WebhookDeliveryOutcome.Delivered ? null : $"HTTP {(int)response.StatusCode}";
        return new WebhookDeliveryResult(outcome, response.StatusCode, error, outcome == WebhookDeliveryOutcome.RetryableFailure ? retryAfter : null, duration);
    }
}
