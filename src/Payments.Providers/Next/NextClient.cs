using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Payments.Core.Providers;
using Payments.Providers.Http;

namespace Payments.Providers.Next;

/// <summary>
/// The NEXT Admin API calls this service makes, against <c>{BaseUrl}/api/admin/</c>. Every failure arrives as a
/// <see cref="ProviderException"/> (built by <see cref="ProviderErrors"/>).
/// </summary>
public sealed class NextClient(IHttpClientFactory httpClients)
{
    /// <summary>The named HTTP client, and the name of its resilience settings and pipeline.</summary>
    public const string HttpClientName = NextProvider.ProviderName;

    public const string ApiVersionHeader = "X-29Next-Api-Version";

    private readonly ProviderJson _json = new(NextProvider.ProviderName, NextJson.Options);

    /// <summary>Applies the settings to a new client: base address, bearer token, API version.</summary>
    public static void Configure(HttpClient client, NextOptions options)
    {
        client.BaseAddress = new Uri($"{options.BaseUrl.TrimEnd('/')}/api/admin/", UriKind.Absolute);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.AccessToken);
        client.DefaultRequestHeaders.Add(ApiVersionHeader, options.ApiVersion);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    /// <summary>
    /// <c>POST /orders/</c> (ordersCreate). Sent once: NEXT takes no idempotency key, so a repeat after a timeout
    /// or a 5xx could create a second order (and a second payment). Only a 429 is retried, as the throttled
    /// request was not processed. The answer is either the TWINT guide's
    /// <c>{reference_transaction_id, payment_complete_url}</c> or a full Order; both parse.
    /// </summary>
    public async Task<NextOrder> CreateOrderAsync(NextCreateOrderRequest body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "orders/") { Content = _json.Content(body) };
        return await _json.SendAsync<NextOrder>(Client(), request, cancellationToken);
    }

    /// <summary><c>GET /orders/{number}/</c> (ordersRetrieve). A read: retried on transient failures.</summary>
    /// <exception cref="ProviderException">With <c>Failure = NotFound</c> when NEXT has no such order.</exception>
    public async Task<NextOrder> GetOrderAsync(string number, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"orders/{Uri.EscapeDataString(number)}/");
        return await _json.SendAsync<NextOrder>(Client(), request, cancellationToken);
    }

    /// <summary>
    /// <c>POST /orders/{number}/add-line-items/</c> (ordersAddLineItemsCreate): adds lines and charges the order's
    /// original payment method for them. Sent once, like create: a repeat would charge again.
    /// </summary>
    public async Task<NextOrder> AddLineItemsAsync(string number, NextAddLineItemsRequest body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"orders/{Uri.EscapeDataString(number)}/add-line-items/")
        {
            Content = _json.Content(body),
        };
        return await _json.SendAsync<NextOrder>(Client(), request, cancellationToken);
    }

    /// <summary>
    /// <c>POST /orders/{number}/refund/</c> (ordersRefundCreate). Sent once: NEXT takes no idempotency key, so a repeat
    /// after a timeout or a 5xx could refund twice (only a 429 is retried). The answer is the Refund.
    /// </summary>
    public async Task<NextRefund> RefundOrderAsync(string number, NextRefundOrderRequest body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"orders/{Uri.EscapeDataString(number)}/refund/") { Content = _json.Content(body) };
        return await _json.SendAsync<NextRefund>(Client(), request, cancellationToken);
    }

    /// <summary>
    /// <c>POST /orders/{number}/cancel/</c> (ordersCancelCreate) with <c>cancel_reason</c> and <c>full_refund = false</c>
    /// (this service refunds through <see cref="RefundOrderAsync"/> only). Sent once, like every NEXT POST.
    /// </summary>
    public async Task<NextOrder> CancelOrderAsync(string number, CancellationToken cancellationToken, string cancelReason = "Cancelled by the merchant")
    {
        var body = new NextCancelOrderRequest { CancelReason = cancelReason, FullRefund = false };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"orders/{Uri.EscapeDataString(number)}/cancel/") { Content = _json.Content(body) };
        return await _json.SendAsync<NextOrder>(Client(), request, cancellationToken);
    }

    /// <summary><c>GET /subscriptions/{id}/</c> (subscriptionsRetrieve). A read: retried on transient failures.</summary>
    public async Task<NextSubscription> GetSubscriptionAsync(long id, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"subscriptions/{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}/");
        return await _json.SendAsync<NextSubscription>(Client(), request, cancellationToken);
    }

    /// <summary>
    /// <c>POST /subscriptions/{id}/renew/</c> (subscriptionsRenewCreate, no body): "trigger a subscription renewal order",
    /// which charges the subscription's payment method. Sent once: a repeat would renew (and charge) again.
    /// </summary>
    public async Task<NextSubscription> RenewSubscriptionAsync(long id, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"subscriptions/{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}/renew/");
        return await _json.SendAsync<NextSubscription>(Client(), request, cancellationToken);
    }

    private HttpClient Client() => httpClients.CreateClient(HttpClientName);
}
