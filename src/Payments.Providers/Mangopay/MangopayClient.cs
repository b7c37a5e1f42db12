using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.Http;

namespace Payments.Providers.Mangopay;

/// <summary>
/// The Mangopay API calls this service makes, against <c>{BaseUrl}/v2.01/{ClientId}/</c>, each with the cached OAuth
/// token (<see cref="MangopayTokens"/>). A 401 drops the token and the call is sent once more with a new one. Every
/// failure arrives as a <see cref="ProviderException"/>.
/// </summary>
/// <remarks>
/// Writes carry an <c>Idempotency-Key</c> derived from our own ids (<see cref="MangopayIdempotencyKeys"/>), so the
/// shared resilience retries them after a 5xx, a network error or a timeout. Mangopay documents that a key used
/// again within 24 h is blocked with a 409 "regardless of the HTTP response code of the first API call"; such a 409 is
/// answered here by reading the first answer back (<c>GET /responses/{key}</c>), so a retried or repeated create
/// gives the pay-in created the first time, never a second one.
/// </remarks>
public sealed class MangopayClient(
    IHttpClientFactory httpClients,
    MangopayTokens tokens,
    IOptionsMonitor<MangopayOptions> options,
    IOptionsMonitor<ProviderHttpOptions> httpOptions,
    ILogger<MangopayClient> logger)
{
    /// <summary>The named HTTP client, and the name of its resilience settings and pipeline.</summary>
    public const string HttpClientName = MangopayProvider.ProviderName;

    private readonly ProviderJson _json = new(MangopayProvider.ProviderName, MangopayJson.Options);

    /// <summary>Applies the settings to a new client: the base address (the token is set per request).</summary>
    public static void Configure(HttpClient client, MangopayOptions options)
    {
        client.BaseAddress = new Uri($"{options.BaseUrl.TrimEnd('/')}/", UriKind.Absolute);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    /// <summary><c>POST /v2.01/{ClientId}/payins/payment-methods/twint</c> with <paramref name="idempotencyKey"/>.</summary>
    public Task<MangopayPayIn> CreateTwintPayInAsync(MangopayTwintPayInRequest body, string idempotencyKey, CancellationToken cancellationToken) =>
        PostIdempotentAsync<MangopayPayIn>("payins/payment-methods/twint", body, idempotencyKey, cancellationToken);

    /// <summary><c>GET /v2.01/{ClientId}/payins/{PayInId}</c>. A read: retried on transient failures.</summary>
    /// <exception cref="ProviderException">With <c>Failure = NotFound</c> when Mangopay has no such pay-in.</exception>
    public Task<MangopayPayIn> GetPayInAsync(string payInId, CancellationToken cancellationToken) =>
        GetAsync<MangopayPayIn>($"payins/{Uri.EscapeDataString(payInId)}", cancellationToken);

    /// <summary><c>POST /v2.01/{ClientId}/payins/{PayInId}/refunds</c> with <paramref name="idempotencyKey"/>.</summary>
    public Task<MangopayRefund> RefundPayInAsync(string payInId, MangopayRefundRequest body, string idempotencyKey, CancellationToken cancellationToken) =>
        PostIdempotentAsync<MangopayRefund>($"payins/{Uri.EscapeDataString(payInId)}/refunds", body, idempotencyKey, cancellationToken);

    /// <summary><c>GET /v2.01/{ClientId}/refunds/{RefundId}</c>.</summary>
    public Task<MangopayRefund> GetRefundAsync(string refundId, CancellationToken cancellationToken) =>
        GetAsync<MangopayRefund>($"refunds/{Uri.EscapeDataString(refundId)}", cancellationToken);

    /// <summary><c>GET /v2.01/{ClientId}/responses/{IdempotencyKey}</c>: the first answer given to that key.</summary>
    public Task<MangopayIdempotencyResponse> GetIdempotencyResponseAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        GetAsync<MangopayIdempotencyResponse>($"responses/{Uri.EscapeDataString(idempotencyKey)}", cancellationToken);

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, ResourcePath(path)), cancellationToken);
        return await _json.ReadAsync<T>(response, cancellationToken);
    }

    private async Task<T> PostIdempotentAsync<T>(string path, object body, string idempotencyKey, CancellationToken cancellationToken)
        where T : class
    {
        if (!MangopayIdempotencyKeys.IsValid(idempotencyKey))
        {
            throw new ArgumentException("A Mangopay Idempotency-Key is 16-36 letters, digits or dashes.", nameof(idempotencyKey));
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), MangopayJson.Options);
        try
        {
            using var response = await SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, ResourcePath(path)) { Content = new ByteArrayContent(bytes) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                request.Headers.Add(ProviderRequest.IdempotencyKeyHeader, idempotencyKey);
                return request;
            }, cancellationToken);
            return await _json.ReadAsync<T>(response, cancellationToken);
        }
        catch (ProviderException ex) when (ex.IsFrom(MangopayProvider.ProviderName) && ex.StatusCode == (int)HttpStatusCode.Conflict)
        {
            logger.LogInformation("Mangopay answered 409 to POST {Path}: the idempotency key was used before; reading the first answer", path);
            return await FirstAnswerAsync<T>(path, idempotencyKey, ex, cancellationToken);
        }
    }

    /// <summary>
    /// The answer Mangopay gave the first request with <paramref name="idempotencyKey"/>: its resource when that was
    /// a success, else the failure it was. When Mangopay cannot say, the 409 stands.
    /// </summary>
    private async Task<T> FirstAnswerAsync<T>(string path, string idempotencyKey, ProviderException conflict, CancellationToken cancellationToken)
        where T : class
    {
        MangopayIdempotencyResponse first;
        try
        {
            first = await GetIdempotencyResponseAsync(idempotencyKey, cancellationToken);
        }
        catch (ProviderException ex) when (ex.IsFrom(MangopayProvider.ProviderName) && ex.Failure is ProviderFailure.NotFound or ProviderFailure.Rejected)
        {
            throw conflict;
        }

        var raw = first.Resource is { } resource ? resource.GetRawText() : null;
        if (first.HttpStatus is not { } status)
        {
            throw conflict;
        }

        // The key was first used for another kind of request: its answer is not this request's.
        if (Uri.TryCreate(first.RequestURL, UriKind.Absolute, out var firstUrl)
            && !firstUrl.AbsolutePath.EndsWith($"/{ResourcePath(path)}", StringComparison.Ordinal))
        {
            throw conflict;
        }

        if (status is >= 200 and < 300 && first.Resource is { ValueKind: JsonValueKind.Object } body)
        {
            T? answer;
            try
            {
                answer = body.Deserialize<T>(MangopayJson.Options);
            }
            catch (JsonException ex)
            {
                throw _json.Invalid(HttpStatusCode.OK, "the stored first answer is not the resource it should be", raw, ex);
            }

            return answer ?? throw _json.Invalid(HttpStatusCode.OK, "the stored first answer is empty", raw);
        }

        // The first request failed, and that failure is the outcome of this one.
        var settings = httpOptions.Get(HttpClientName);
        var failure = ProviderErrors.Classify((HttpStatusCode)status);
        string? code = null;
        try
        {
            code = raw is null ? null : settings.ReadErrorCode?.Invoke(raw);
        }
        catch (JsonException)
        {
        }

        var info = new ProviderFailureInfo(MangopayProvider.ProviderName, failure,
            $"{MangopayProvider.ProviderName}: the first request with this Idempotency-Key answered {status}.", status, code,
            raw is { Length: > ProviderErrors.MaxRawBodyChars } ? raw[..ProviderErrors.MaxRawBodyChars] : raw, conflict);
        throw new ProviderException(info);
    }

    /// <summary>
    /// Sends with the current token; on a 401 forgets that token and sends once more with a new one (Mangopay answers
    /// 401 to an expired token, e.g. one revoked early or a clock that drifted). <paramref name="build"/> makes a fresh
    /// request each time, since a request message can be sent only once.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(cancellationToken);
        try
        {
            using var request = build();
            request.Headers.Authorization = token.Header();
            return await Client().SendAsync(request, cancellationToken);
        }
        catch (ProviderException ex) when (ex.IsFrom(MangopayProvider.ProviderName) && ex.StatusCode == (int)HttpStatusCode.Unauthorized)
        {
            logger.LogWarning("Mangopay refused the access token (401); fetching a new one and trying once more");
            tokens.Invalidate(token);
        }

        var renewed = await tokens.GetAsync(cancellationToken);
        using var again = build();
        again.Headers.Authorization = renewed.Header();
        return await Client().SendAsync(again, cancellationToken);
    }

    private string ResourcePath(string path) => $"v2.01/{Uri.EscapeDataString(options.CurrentValue.ClientId)}/{path}";

    private HttpClient Client() => httpClients.CreateClient(HttpClientName);
}
