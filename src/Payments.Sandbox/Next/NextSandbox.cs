using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Payments.Sandbox.Next;

/// <summary>
/// NEXT Commerce's Admin API (2024-04-01) and its TWINT redirect flow, as documented (29next/developer-docs:
/// <c>public/api/admin/2024-04-01.yaml</c>, <c>guides/twint</c>): mounted under a prefix, so that
/// <c>Providers:Next:BaseUrl = {host}/sandbox/next</c> points the real client here.
/// <list type="bullet">
/// <item><c>POST {prefix}/api/admin/orders/</c> → 201 <c>{reference_transaction_id, payment_complete_url}</c></item>
/// <item><c>GET {prefix}/api/admin/orders/{number}/</c> → the Order, 404 <c>{"detail":"Not found."}</c></item>
/// <item><c>POST {prefix}/api/admin/orders/{number}/add-line-items/</c> → 200 the Order</item>
/// <item><c>GET {prefix}/api/admin/subscriptions/{id}/</c> → the SubscriptionDetail (an order paid with subscription lines has one)</item>
/// <item><c>POST {prefix}/api/admin/subscriptions/{id}/renew/</c> → 200 the SubscriptionDetail, with a new paid renewal order
/// while the subscription is active; none while it is past_due or retrying; 400 once canceled</item>
/// <item><c>GET|POST {prefix}/checkout/{session}/</c> → the hosted payment page: Pay, Decline, Leave pending</item>
/// <item><c>POST {prefix}/_sandbox/orders/{number}/payment-status/</c> (sandbox only, JSON
/// <c>{"payment_status": "refunded"}</c>) → sets an order's payment status, for reconciliation tests</item>
/// <item><c>POST {prefix}/_sandbox/subscriptions/{id}/status/</c> (JSON <c>{"status": "past_due"}</c>) → sets a subscription's status</item>
/// </list>
/// Errors look like Django REST framework's (NEXT's): <c>{"detail": "…"}</c> or <c>{"field": ["…"]}</c>.
/// Sandbox limits: only <c>payment_method = twint</c>; no catalogue, so a line without <c>price</c> costs
/// <see cref="CataloguePrice"/>; no tax; the cheapest shipping method costs nothing.
/// </summary>
/// <remarks>
/// One file per API area: this one (routes), <c>.Orders</c>, <c>.Subscriptions</c>, <c>.HostedPage</c> (the checkout page
/// and the sandbox flips) and <c>.Errors</c> (header checks, body reads, error answers).
/// </remarks>
public static partial class NextSandbox
{
    public const string ApiVersionHeader = "X-29Next-Api-Version";
    public static readonly IReadOnlyList<string> ApiVersions = ["2023-02-10", "2024-04-01", "unstable"];

    /// <summary>What any product costs in the sandbox when the line names no price.</summary>
    public const long CataloguePrice = 1000;

    private const int MaxBodyBytes = 256 * 1024;
    private const int MaxLines = 100;

    private static readonly string[] Decisions = ["pay", "decline", "pending"];

    public static IServiceCollection AddNextSandbox(this IServiceCollection services)
    {
        services.TryAddSingleton<NextSandboxState>();
        return services;
    }

    public static IEndpointRouteBuilder MapNextSandbox(this IEndpointRouteBuilder app, string prefix)
    {
        var group = app.MapGroup(prefix).ExcludeFromDescription();
        group.MapPost("/api/admin/orders/", CreateOrderAsync);
        group.MapGet("/api/admin/orders/{number}/", GetOrder);
        group.MapPost("/api/admin/orders/{number}/add-line-items/", AddLineItemsAsync);
        group.MapPost("/api/admin/orders/{number}/refund/", RefundAsync);
        group.MapPost("/api/admin/orders/{number}/cancel/", CancelAsync);
        group.MapGet("/checkout/{session}/", CheckoutPage);
        group.MapPost("/checkout/{session}/", DecideAsync);
        group.MapGet("/api/admin/subscriptions/{id:long}/", GetSubscription);
        group.MapPost("/api/admin/subscriptions/{id:long}/renew/", RenewSubscription);
        group.MapPost("/_sandbox/orders/{number}/payment-status/", SetPaymentStatusAsync);
        group.MapPost("/_sandbox/subscriptions/{id:long}/status/", SetSubscriptionStatusAsync);
        return app;
    }

    [GeneratedRegex(@"^-?\d{0,10}(?:\.\d{0,2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex NextDecimal();

    [GeneratedRegex(@"^[A-Z]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex CurrencyCode();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Email();
}
