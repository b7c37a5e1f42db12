using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.Http;

namespace Payments.Providers.Twisto;

/// <summary>
/// The Twisto PSP calls this service makes, against <c>{BaseUrl}/psp/</c>: API v4 (checkouts, charges, refunds;
/// <c>Authorization: Bearer …</c>) and the deprecated Universal API v2 (orders; <c>Authorization: Token …</c>).
/// Every failure arrives as a <see cref="ProviderException"/> (built by <see cref="ProviderErrors"/>).
/// </summary>
/// <remarks>
/// Retries (Twisto's "edge cases and error handling" page): <c>POST /checkouts</c> is "non-transactional" (each
/// request is a new checkout), so it is sent once; <c>/checkouts/{id}/cancel</c>, <c>/charges</c> and
/// <c>/refunds</c> are "transactional" and a retry "will need to use the same 'Idempotency-key'", which these
/// carry, so they are retried. v2 documents no idempotency: its POSTs are sent once. Reads are retried.
/// </remarks>
public sealed class TwistoClient(IHttpClientFactory httpClients, IOptionsMonitor<TwistoOptions> options)
{
    /// <summary>The named HTTP client, and the name of its resilience settings and pipeline.</summary>
    public const string HttpClientName = TwistoProvider.ProviderName;

    private readonly ProviderJson _json = new(TwistoProvider.ProviderName, TwistoJson.Options);

    /// <summary>Applies the settings to a new client: base address and JSON. The auth scheme is per request (per version).</summary>
    public static void Configure(HttpClient client, TwistoOptions options)
    {
        client.BaseAddress = new Uri($"{options.BaseUrl.TrimEnd('/')}/psp/", UriKind.Absolute);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    // ---- v4 -----------------------------------------------------------------------------------------------------

    /// <summary><c>POST /psp/v4/checkouts</c> (CheckoutCreate). Sent once: a repeat would open a second checkout.</summary>
    public async Task<TwistoCheckout> CreateCheckoutAsync(TwistoCheckoutRequest body, CancellationToken cancellationToken)
    {
        using var request = V4(HttpMethod.Post, "v4/checkouts", body);
        return await SendAsync<TwistoCheckout>(request, cancellationToken);
    }

    /// <summary><c>GET /psp/v4/checkouts/{id}</c> (CheckoutRetrieve, seed 003).</summary>
    /// <exception cref="ProviderException">With <c>Failure = NotFound</c> when Twisto has no such checkout.</exception>
    public async Task<TwistoCheckout> GetCheckoutAsync(string checkoutId, CancellationToken cancellationToken)
    {
        using var request = V4(HttpMethod.Get, $"v4/checkouts/{Uri.EscapeDataString(checkoutId)}", null);
        return await SendAsync<TwistoCheckout>(request, cancellationToken);
    }

    /// <summary><c>POST /psp/v4/checkouts/{id}/cancel</c>: "works only before charge captured". Idempotent by key.</summary>
    public async Task<TwistoCheckout> CancelCheckoutAsync(string checkoutId, string idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = V4(HttpMethod.Post, $"v4/checkouts/{Uri.EscapeDataString(checkoutId)}/cancel", null, idempotencyKey);
        return await SendAsync<TwistoCheckout>(request, cancellationToken);
    }

    /// <summary><c>POST /psp/v4/charges</c> (ChargeCreate) for an approved checkout. Idempotent by key.</summary>
    public async Task<TwistoCharge> CreateChargeAsync(TwistoChargeRequest body, string idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = V4(HttpMethod.Post, "v4/charges", body, idempotencyKey);
        return await SendAsync<TwistoCharge>(request, cancellationToken);
    }

    /// <summary><c>POST /psp/v4/refunds</c> (RefundCreate) for a captured checkout. Idempotent by key.</summary>
    public async Task<TwistoRefund> CreateRefundAsync(TwistoRefundRequest body, string idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = V4(HttpMethod.Post, "v4/refunds", body, idempotencyKey);
        return await SendAsync<TwistoRefund>(request, cancellationToken);
    }

    // ---- v2 -----------------------------------------------------------------------------------------------------

    /// <summary><c>POST /psp/v2/order/</c> (orderCreate, seed 001). Sent once.</summary>
    public async Task<TwistoOrder> CreateOrderAsync(TwistoOrderRequest body, CancellationToken cancellationToken)
    {
        using var request = V2(HttpMethod.Post, "v2/order/", body);
        return await SendAsync<TwistoOrder>(request, cancellationToken);
    }

    /// <summary>
    /// <c>GET /psp/v2/order/{id}/</c>. Not shown in any copy of the v2 docs we could read; the API is Django REST
    /// framework's router pattern (<c>/order/</c> lists and creates), whose detail route is this one.
    /// </summary>
    public async Task<TwistoOrder> GetOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        using var request = V2(HttpMethod.Get, $"v2/order/{Uri.EscapeDataString(orderId)}/", null);
        return await SendAsync<TwistoOrder>(request, cancellationToken);
    }

    /// <summary>
    /// <c>POST /psp/v2/order/{id}/activate</c>: an accepted order becomes activated (Twisto invoices the shopper).
    /// The answer's body is not documented: read as the order when it is one, else null (re-read the order).
    /// </summary>
    public Task<TwistoOrder?> ActivateOrderAsync(string orderId, CancellationToken cancellationToken) =>
        OrderActionAsync(orderId, "activate", null, cancellationToken);

    /// <summary><c>POST /psp/v2/order/{id}/cancel</c>: only before activation.</summary>
    public Task<TwistoOrder?> CancelOrderAsync(string orderId, CancellationToken cancellationToken) =>
        OrderActionAsync(orderId, "cancel", null, cancellationToken);

    /// <summary><c>POST /psp/v2/order/{id}/refund</c>: after activation, full or partial (body inferred, see <see cref="TwistoOrderRefundRequest"/>).</summary>
    public async Task<TwistoOrderRefund?> RefundOrderAsync(string orderId, TwistoOrderRefundRequest body, CancellationToken cancellationToken)
    {
        using var request = V2(HttpMethod.Post, ActionPath(orderId, "refund"), body);
        using var response = await Client().SendAsync(request, cancellationToken);
        return await ReadOptionalAsync<TwistoOrderRefund>(response, cancellationToken);
    }

    // ---- plumbing -----------------------------------------------------------------------------------------------

    // The v2 docs print these paths without the trailing slash that order/ has; DRF routers use one throughout.
    private static string ActionPath(string orderId, string action) => $"v2/order/{Uri.EscapeDataString(orderId)}/{action}/";

    private async Task<TwistoOrder?> OrderActionAsync(string orderId, string action, object? body, CancellationToken cancellationToken)
    {
        using var request = V2(HttpMethod.Post, ActionPath(orderId, action), body);
        using var response = await Client().SendAsync(request, cancellationToken);
        return await ReadOptionalAsync<TwistoOrder>(response, cancellationToken);
    }

    private HttpRequestMessage V4(HttpMethod method, string path, object? body, string? idempotencyKey = null) =>
        Build(method, path, body, "Bearer", idempotencyKey);

    private HttpRequestMessage V2(HttpMethod method, string path, object? body) => Build(method, path, body, "Token", null);

    private HttpRequestMessage Build(HttpMethod method, string path, object? body, string scheme, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, options.CurrentValue.SecretKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add(ProviderRequest.IdempotencyKeyHeader, idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = _json.Content(body);
        }

        return request;
    }

    private Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
        where T : class => _json.SendAsync<T>(Client(), request, cancellationToken);

    private static async Task<T?> ReadOptionalAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
        where T : class
    {
        var raw = await response.Content.ReadAsStringAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(raw, TwistoJson.Options);
        }
        catch (JsonException)
        {
            // The action succeeded (2xx); its undocumented body is not needed.
            return null;
        }
    }

    private HttpClient Client() => httpClients.CreateClient(HttpClientName);
}
