using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.Http;

namespace Payments.Providers.NeuroPay;

/// <summary>
/// The Neuro-Pay checkout API calls this service makes: every one a JSON <c>POST {BaseUrl}/checkout/{endpoint}</c>
/// with the API key as a bearer token. Every failure arrives as a <see cref="ProviderException"/> (built by
/// <see cref="ProviderErrors"/>).
/// </summary>
/// <remarks>
/// Retries: Neuro-Pay documents no idempotency key, so the writes (create, capture, refund, update, delete,
/// create-customer, delete-customer) are sent once; a 5xx or a timeout leaves their outcome unknown, and the caller
/// reads the object again to find out. The two reads done by POST (<c>retrieve</c>, <c>retrieve-customer</c>) are
/// marked safe and retried like a GET. A 429 is retried for every request (see <see cref="ProviderPipelines"/>).
/// </remarks>
public sealed class NeuroPayClient(IHttpClientFactory httpClients)
{
    /// <summary>The named HTTP client, and the name of its resilience settings and pipeline.</summary>
    public const string HttpClientName = NeuroPayProvider.ProviderName;

    private readonly ProviderJson _json = new(NeuroPayProvider.ProviderName, NeuroPayJson.Options);

    /// <summary>Applies the settings to a new client: base address <c>{BaseUrl}/checkout/</c>, bearer API key.</summary>
    public static void Configure(HttpClient client, NeuroPayOptions options)
    {
        client.BaseAddress = new Uri($"{options.BaseUrl.TrimEnd('/')}/checkout/", UriKind.Absolute);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    /// <summary><c>create</c>: opens a checkout (or, with customer_id + card_id, pays with the saved card at once). Sent once.</summary>
    public Task<NeuroPayCheckout> CreateCheckoutAsync(NeuroPayCreateCheckoutRequest body, CancellationToken cancellationToken) =>
        CheckoutAsync("create", body, safe: false, cancellationToken);

    /// <summary><c>retrieve</c>: a read, retried on transient failures.</summary>
    /// <exception cref="ProviderException">With <c>Failure = NotFound</c> when Neuro-Pay has no such checkout.</exception>
    public Task<NeuroPayCheckout> RetrieveCheckoutAsync(string checkoutId, CancellationToken cancellationToken) =>
        CheckoutAsync("retrieve", new NeuroPayCheckoutIdRequest(checkoutId), safe: true, cancellationToken);

    /// <summary><c>capture</c>: only a <c>reserved</c> checkout. Sent once.</summary>
    public Task<NeuroPayCheckout> CaptureAsync(string checkoutId, CancellationToken cancellationToken) =>
        CheckoutAsync("capture", new NeuroPayCheckoutIdRequest(checkoutId), safe: false, cancellationToken);

    /// <summary><c>refund</c>: on <c>paid</c>/<c>partialRefund</c> (money back) or <c>reserved</c> (reserve released). Sent once.</summary>
    public Task<NeuroPayCheckout> RefundAsync(NeuroPayRefundRequest body, CancellationToken cancellationToken) =>
        CheckoutAsync("refund", body, safe: false, cancellationToken);

    /// <summary><c>update</c>: sets metaData keys (an empty value deletes its key), in any status. Sent once.</summary>
    public Task<NeuroPayCheckout> UpdateMetadataAsync(NeuroPayUpdateRequest body, CancellationToken cancellationToken) =>
        CheckoutAsync("update", body, safe: false, cancellationToken);

    /// <summary>
    /// <c>delete</c>: only a checkout still <c>created</c>. The newer docs name the endpoint but not its answer: the
    /// checkout in its new state when the body is one, else null (any 2xx means deleted). Sent once.
    /// </summary>
    public Task<NeuroPayCheckout?> DeleteCheckoutAsync(string checkoutId, CancellationToken cancellationToken) =>
        PostAsync<NeuroPayCheckoutIdRequest, NeuroPayCheckout>("delete", new NeuroPayCheckoutIdRequest(checkoutId), safe: false,
            raw => (NeuroPayResponses.ReadCheckout(raw, out _), null), cancellationToken);

    /// <summary><c>create-customer</c>. Sent once.</summary>
    public async Task<NeuroPayCustomer> CreateCustomerAsync(NeuroPayCreateCustomerRequest body, CancellationToken cancellationToken) =>
        (await PostAsync("create-customer", body, safe: false, ReadCustomer, cancellationToken))!;

    /// <summary><c>retrieve-customer</c>: a read, retried on transient failures.</summary>
    /// <exception cref="ProviderException">With <c>Failure = NotFound</c> when Neuro-Pay has no such customer.</exception>
    public async Task<NeuroPayCustomer> RetrieveCustomerAsync(string customerId, CancellationToken cancellationToken) =>
        (await PostAsync("retrieve-customer", new NeuroPayCustomerIdRequest(customerId), safe: true, ReadCustomer, cancellationToken))!;

    /// <summary><c>delete-customer</c>. Any 2xx means deleted (the answer's shape is not relied on). Sent once.</summary>
    public Task DeleteCustomerAsync(string customerId, CancellationToken cancellationToken) =>
        PostAsync<NeuroPayCustomerIdRequest, object>("delete-customer", new NeuroPayCustomerIdRequest(customerId), safe: false,
            _ => (null, null), cancellationToken);

    /// <summary>A successful answer the flow cannot use (e.g. a checkout without a page), as an Unavailable failure.</summary>
    public static ProviderException Unusable(string endpoint, string problem, NeuroPayCheckout checkout) =>
        ProviderErrors.InvalidResponse(NeuroPayProvider.ProviderName, null, HttpStatusCode.OK, $"POST /checkout/{endpoint}: {problem}",
            JsonSerializer.Serialize(checkout));

    /// <summary>An operation asked for an order that has no Neuro-Pay checkout: refused before any call.</summary>
    public static ProviderException NoCheckout(string orderId)
    {
        var info = new ProviderFailureInfo(NeuroPayProvider.ProviderName, ProviderFailure.Rejected,
            $"neuropay: order {orderId} has no Neuro-Pay checkout.", null, null, null, null);
        return new ProviderException(info);
    }

    private async Task<NeuroPayCheckout> CheckoutAsync<T>(string endpoint, T body, bool safe, CancellationToken cancellationToken) =>
        (await PostAsync(endpoint, body, safe, ReadCheckout, cancellationToken))!;

    private static (NeuroPayCheckout?, string?) ReadCheckout(string raw) => (NeuroPayResponses.ReadCheckout(raw, out var problem), problem);

    private static (NeuroPayCustomer?, string?) ReadCustomer(string raw) => (NeuroPayResponses.ReadCustomer(raw, out var problem), problem);

    /// <summary>
    /// Sends one POST and reads the successful answer with <paramref name="read"/>, which gives the value, or null and
    /// the problem (null problem: a null value is fine). An unusable body is an Unavailable provider failure.
    /// </summary>
    private async Task<TResult?> PostAsync<T, TResult>(string endpoint, T body, bool safe, Func<string, (TResult? Value, string? Problem)> read,
        CancellationToken cancellationToken)
        where TResult : class
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = _json.Content(body) };
        if (safe)
        {
            request.MarkSafeToRetry();
        }

        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        var raw = await response.Content.ReadAsStringAsync(cancellationToken);
        var (value, problem) = read(raw);
        if (value is null && problem is not null)
        {
            throw ProviderErrors.InvalidResponse(NeuroPayProvider.ProviderName, request, response.StatusCode, problem, raw);
        }

        return value;
    }
}
