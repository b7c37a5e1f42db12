using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Payments.Sandbox.NeuroPay;

/// <summary>
/// Neuro-Pay's (paiwise) checkout API and hosted pages as documented (wiki.paiwise.tech "Neuro-Pay Checkout API";
/// docs.neuro-tech.io/neuro-pay/api-reference/checkout/checkouts and …/customers), mounted under a prefix so that
/// <c>Providers:NeuroPay:BaseUrl = {host}/sandbox/neuropay</c> points the real client here. Every API call is a JSON
/// POST with <c>Authorization: Bearer {API key}</c> (any non-empty key; objects are visible only to the key that
/// created them):
/// <list type="bullet">
/// <item><c>POST {prefix}/checkout/create | retrieve | capture | refund | update | delete</c> → 200 the checkout</item>
/// <item><c>POST {prefix}/checkout/create-customer | retrieve-customer | delete-customer</c> → 200 the customer</item>
/// <item><c>GET|POST {prefix}/pay/{checkout_id}</c>: the hosted checkout page (Pay, Decline, Cancel; "Save card" with
/// allowSaveCard and a customer_id). The choice answers 303 to <c>returnUrl</c> (Pay, Decline) or
/// <c>returnUrlCancel</c> (Cancel), with nothing appended</item>
/// <item><c>GET {prefix}/client/{customer_id}</c>: the customer's client page, listing saved cards</item>
/// <item>sandbox only: <c>POST {prefix}/_sandbox/checkouts/{id}/status</c> <c>{"status": "…"}</c> sets any status word;
/// <c>POST {prefix}/_sandbox/customers/{id}/cards</c> <c>{"brand","last4","expiry"}</c> saves a card (a card ending in
/// 0002 declines automatic payments)</item>
/// </list>
/// </summary>
/// <remarks>
/// Documented guesses, where the docs are silent (the response examples are missing): the checkout object's fields
/// (<c>checkout_id</c>, <c>status</c>, <c>amount</c>, <c>refunded_amount</c>, <c>url</c>, …, as
/// <c>NeuroPayResponses</c> in the provider reads them first); 200 for every success; errors
/// <c>{"error": code, "message": text}</c> with 400 (invalid request or state), 401 (key), 404 (unknown id),
/// 413/415; delete leaves the checkout readable as <c>revoked</c>; nothing appended to the return URLs; an automatic
/// payment (customer_id + card_id) is decided inside create and its answer still carries the page <c>url</c>, which then
/// shows the closed checkout.
/// One file per API area: this one (routes, URLs, JSON reads), <c>.Checkouts</c>, <c>.Customers</c>,
/// <c>.HostedPage</c> (the hosted pages and the sandbox status flip) and <c>.Errors</c> (key check, body reads, errors).
/// </remarks>
public static partial class NeuroPaySandbox
{
    private const int MaxBodyBytes = 64 * 1024;
    private const int MaxMetaDataEntries = 50;
    private const int MaxTextLength = 1000;

    private static readonly string[] Decisions = ["pay", "decline", "cancel"];

    private static readonly string[] CustomerFields = ["first_name", "last_name", "email"];

    public static IServiceCollection AddNeuroPaySandbox(this IServiceCollection services)
    {
        services.TryAddSingleton<NeuroPaySandboxState>();
        return services;
    }

    public static IEndpointRouteBuilder MapNeuroPaySandbox(this IEndpointRouteBuilder app, string prefix)
    {
        var group = app.MapGroup(prefix).ExcludeFromDescription();
        group.MapPost("/checkout/create", CreateAsync);
        group.MapPost("/checkout/retrieve", (HttpContext http, NeuroPaySandboxState state, CancellationToken ct) =>
            OnCheckoutAsync(http, state, prefix, (_, _) => null, ct));
        group.MapPost("/checkout/capture", (HttpContext http, NeuroPaySandboxState state, CancellationToken ct) =>
            OnCheckoutAsync(http, state, prefix, (c, _) => c.Capture(state.Timestamp()), ct));
        group.MapPost("/checkout/refund", (HttpContext http, NeuroPaySandboxState state, CancellationToken ct) =>
            OnCheckoutAsync(http, state, prefix, (c, body) => Refund(c, body, state), ct));
        group.MapPost("/checkout/update", (HttpContext http, NeuroPaySandboxState state, CancellationToken ct) =>
            OnCheckoutAsync(http, state, prefix, (c, body) => Update(c, body, state), ct));
        group.MapPost("/checkout/delete", (HttpContext http, NeuroPaySandboxState state, CancellationToken ct) =>
            OnCheckoutAsync(http, state, prefix, (c, _) => c.Delete(state.Timestamp()), ct));
        group.MapPost("/checkout/create-customer", (HttpContext http, NeuroPaySandboxState state, CancellationToken ct) =>
            CreateCustomerAsync(http, state, prefix, ct));
        group.MapPost("/checkout/retrieve-customer", (HttpContext http, NeuroPaySandboxState state, CancellationToken ct) =>
            OnCustomerAsync(http, state, prefix, delete: false, ct));
        group.MapPost("/checkout/delete-customer", (HttpContext http, NeuroPaySandboxState state, CancellationToken ct) =>
            OnCustomerAsync(http, state, prefix, delete: true, ct));
        group.MapGet("/pay/{checkoutId}", CheckoutPage);
        group.MapPost("/pay/{checkoutId}", DecideAsync);
        group.MapGet("/client/{customerId}", ClientPage);
        group.MapPost("/_sandbox/checkouts/{checkoutId}/status", SetStatusAsync);
        group.MapPost("/_sandbox/customers/{customerId}/cards", (HttpContext http, string customerId, NeuroPaySandboxState state, CancellationToken ct) =>
            AddCardAsync(http, customerId, state, prefix, ct));
        return app;
    }

    /// <summary>The prefix the endpoint is mounted under, from the request path ({prefix}/checkout/… or {prefix}/_sandbox/…).</summary>
    private static string PrefixOf(HttpContext http)
    {
        var path = http.Request.Path.Value!;
        var at = path.IndexOf("/checkout/", StringComparison.Ordinal);
        at = at >= 0 ? at : path.IndexOf("/_sandbox/", StringComparison.Ordinal);
        return path[..at];
    }

    private static string PageUrl(HttpContext http, string prefix, string checkoutId) =>
        $"{Origin(http.Request)}{prefix}/pay/{Uri.EscapeDataString(checkoutId)}";

    private static string ClientPageUrl(HttpContext http, string prefix, string customerId) =>
        $"{Origin(http.Request)}{prefix}/client/{Uri.EscapeDataString(customerId)}";

    private static string? Text(JsonObject body, string name) =>
        body[name] is { } value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static bool? Bool(JsonObject body, string name) => body[name]?.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static string? Scalar(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.Number => value.ToJsonString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    [GeneratedRegex("^[A-Z]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex Currency();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"^\d{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex Last4();

    [GeneratedRegex(@"^(0[1-9]|1[0-2])/\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex Expiry();
}
