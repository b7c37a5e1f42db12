using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Payments.Sandbox.Twisto;

/// <summary>
/// Twisto's PSP API v4 and Universal API v2, as documented (docs.twisto.cz|pl: psp-api checkout-create,
/// checkout-retrieve, checkout-cancel, charge-create, refund-create, webhooks; universal-api order-create and
/// launch), mounted under a prefix so that <c>Providers:Twisto:BaseUrl = {host}/sandbox/twisto</c> points the
/// real client here.
/// <list type="bullet">
/// <item><c>POST {prefix}/psp/v4/checkouts</c> (Bearer) → 201 the checkout; <c>GET …/checkouts/{id}</c>;
/// <c>POST …/checkouts/{id}/cancel</c>; <c>POST {prefix}/psp/v4/charges</c>; <c>POST {prefix}/psp/v4/refunds</c>
/// (the last three take <c>Idempotency-Key</c>: the same key and body replays the answer, another body is a 409)</item>
/// <item><c>POST {prefix}/psp/v2/order/</c> (Token) → 201 the order; <c>GET …/order/{id}/</c>;
/// <c>POST …/order/{id}/activate|cancel|refund</c> (with or without the trailing slash)</item>
/// <item><c>GET|POST {prefix}/gateway/{v4|v2}/{id}</c>: the hosted page with Approve, Decline and Leave pending.
/// v4 answers the decision with a 303 to <c>config.redirect_uri</c> plus <c>checkout_id</c> and <c>state</c> (Twisto
/// says the status is "a parameter in redirect URL" without naming it: these names are ours); v2 answers with a
/// page that returns the shopper to <c>return_url</c>, unchanged, after 5 seconds.</item>
/// <item><c>POST {prefix}/_sandbox/checkouts/{id}/state</c> <c>{"state": "…"}</c> and
/// <c>POST {prefix}/_sandbox/orders/{id}/status</c> <c>{"status": "…"}</c> (sandbox only): set the word and send
/// the webhook, for webhook and reconciliation tests.</item>
/// </list>
/// Webhooks go to <c>Sandbox:Twisto:WebhookUrl</c> when set (see <see cref="TwistoSandboxOptions"/>). Errors:
/// 401 <c>{"detail": …}</c>, 404 <c>{"detail": "Not found."}</c>, 400 <c>{"errors": {"field": ["…"]}}</c>.
/// Sandbox rules beyond the docs: item amounts are unit prices and must add up to the order amount; amounts
/// must be positive; the only currency exponent is 2.
/// </summary>
/// <remarks>
/// One file per API area: this one (routes, decimals, items), <c>.Checkouts</c> (v4), <c>.Orders</c> (v2),
/// <c>.HostedPage</c> (the gateway page and the sandbox flips) and <c>.Errors</c> (auth, body reads, error answers).
/// </remarks>
public static partial class TwistoSandbox
{
    private const int MaxBodyBytes = 256 * 1024;
    private const int MaxItems = 500;

    private static readonly string[] Decisions = ["approve", "decline", "pending"];

    private static readonly string[] CheckoutTypes = ["standard", "pay-in-three"];
    private static readonly string[] CheckoutItemTypes = ["sku", "tax", "shipping", "discount", "store_credit"];
    private static readonly string[] Services = ["twisto-pay", "pay-in-three"];
    private static readonly string[] OrderItemTypes = ["goods", "shipment", "payment", "discount", "round"];
    private static readonly string[] PaymentTypes = ["wire_transfer", "card", "cod", "other"];

    public static IEndpointRouteBuilder MapTwistoSandboxRoutes(this IEndpointRouteBuilder app, string prefix)
    {
        var group = app.MapGroup(prefix).ExcludeFromDescription();
        group.MapPost("/psp/v4/checkouts", (HttpContext http, [FromServices] TwistoSandboxState state, CancellationToken ct) => CreateCheckoutAsync(http, prefix, state, ct));
        group.MapGet("/psp/v4/checkouts/{id}", GetCheckout);
        group.MapPost("/psp/v4/checkouts/{id}/cancel", CancelCheckoutAsync);
        group.MapPost("/psp/v4/charges", CreateChargeAsync);
        group.MapPost("/psp/v4/refunds", CreateRefundAsync);
        group.MapPost("/psp/v2/order/", (HttpContext http, [FromServices] TwistoSandboxState state, CancellationToken ct) => CreateOrderAsync(http, prefix, state, ct));
        group.MapGet("/psp/v2/order/{id}/", GetOrder);
        group.MapPost("/psp/v2/order/{id}/{action}/", OrderActionAsync);
        group.MapGet("/gateway/{version}/{id}", GatewayPage);
        group.MapPost("/gateway/{version}/{id}", DecideAsync);
        group.MapPost("/_sandbox/checkouts/{id}/state", (HttpContext http, string id, [FromServices] TwistoSandboxState state, CancellationToken ct) => FlipAsync(http, "v4", id, state, ct));
        group.MapPost("/_sandbox/orders/{id}/status", (HttpContext http, string id, [FromServices] TwistoSandboxState state, CancellationToken ct) => FlipAsync(http, "v2", id, state, ct));
        return app;
    }

    /// <summary>A Twisto decimal in hundredths: <c>^-?\d{0,8}(?:\.\d{0,2})?$</c> with at least one digit; null otherwise.</summary>
    public static long? ParseMinor(string? text, bool vat = false)
    {
        if (text is null || !text.Any(char.IsAsciiDigit) || (!vat && !TwistoDecimal().IsMatch(text)))
        {
            return null;
        }

        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? (long)(value * 100)
            : null;
    }

    /// <summary>Sums amount × quantity of valid items (in hundredths) after checking each one.</summary>
    private static long ReadItems(TwistoSandboxChecks c, JsonArray? items, string path, bool v2)
    {
        long total = 0;
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var where = $"{path}[{i}]";
            if (items![i] is not JsonObject item)
            {
                c.Add(where, "Invalid data. Expected a dictionary.");
                continue;
            }

            c.Text(item, "name", $"{where}.name", required: true, max: 255);
            var amount = c.Decimal(item, "amount", $"{where}.amount", required: true);
            var quantity = c.Integer(item, "quantity", $"{where}.quantity", required: true, min: 1);
            if (v2)
            {
                c.Text(item, "product_id", $"{where}.product_id", required: false, max: 255);
                c.Decimal(item, "vat", $"{where}.vat", required: false, vat: true);
                c.Choice(item, "type", $"{where}.type", required: true, OrderItemTypes);
            }
            else
            {
                c.Text(item, "reference", $"{where}.reference", required: false, max: 200);
                c.Choice(item, "type", $"{where}.type", required: true, CheckoutItemTypes);
            }

            total += (amount ?? 0) * (quantity ?? 0);
        }

        return total;
    }

    [GeneratedRegex(@"^-?\d{0,8}(?:\.\d{0,2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex TwistoDecimal();

    [GeneratedRegex(@"^[A-Z]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex CurrencyCode();
}
