using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using static Payments.Sandbox.SandboxHttp;

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

    private static async Task<IResult> CreateAsync(HttpContext http, [FromServices] NeuroPaySandboxState state, CancellationToken cancellationToken)
    {
        var (owner, body, refused) = await ReadApiCallAsync(http, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (ReadCreate(body!) is not { } request)
        {
            return Error(ReadCreateError(body!)!);
        }

        string status = NeuroPaySandboxCheckout.Created;
        if (request.CustomerId is not null)
        {
            if (state.FindCustomer(owner!, request.CustomerId) is not { } customer)
            {
                return Error(new("customer_not_found", "customer_id does not name a customer of this account."));
            }

            if (request.CardId is not null)
            {
                if (customer.FindCard(request.CardId) is not { } card)
                {
                    return Error(new("card_not_found", "card_id does not name a saved card of this customer."));
                }

                // An automatic payment: decided here, no shopper page.
                status = card.Last4 == NeuroPaySandboxCustomer.DecliningLast4
                    ? NeuroPaySandboxCheckout.Failed
                    : request.Capture ? NeuroPaySandboxCheckout.Paid : NeuroPaySandboxCheckout.Reserved;
            }
        }

        var checkout = state.AddCheckout(new NeuroPaySandboxCheckout(NeuroPaySandboxState.NewId(), owner!, request, status, state.Timestamp()));
        return Json(checkout.ToJson(PageUrl(http, PrefixOf(http), checkout.Id)), StatusCodes.Status200OK);
    }

    /// <summary>The checkout endpoints that take <c>checkout_id</c>: find it (404 otherwise), apply, answer with it.</summary>
    private static async Task<IResult> OnCheckoutAsync(HttpContext http, NeuroPaySandboxState state, string prefix,
        Func<NeuroPaySandboxCheckout, JsonObject, NeuroPaySandboxError?> apply, CancellationToken cancellationToken)
    {
        var (owner, body, refused) = await ReadApiCallAsync(http, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (Text(body!, "checkout_id") is not { Length: > 0 } id)
        {
            return Error(new("invalid_request", "checkout_id is required."));
        }

        if (state.FindCheckout(owner!, id) is not { } checkout)
        {
            return Error(new("not_found", "Checkout not found.", StatusCodes.Status404NotFound));
        }

        return apply(checkout, body!) is { } error
            ? Error(error)
            : Json(checkout.ToJson(PageUrl(http, prefix, checkout.Id)), StatusCodes.Status200OK);
    }

    private static NeuroPaySandboxError? Refund(NeuroPaySandboxCheckout checkout, JsonObject body, NeuroPaySandboxState state)
    {
        long? amount = null;
        if (body["amount"] is { } a)
        {
            if (a.GetValueKind() != JsonValueKind.Number || !a.AsValue().TryGetValue<long>(out var value) || value < 1)
            {
                return new("invalid_amount", "amount must be a positive int (minor units).");
            }

            amount = value;
        }

        var reason = body["reason"];
        if (reason is not null && (reason.GetValueKind() != JsonValueKind.String || !NeuroPaySandboxCheckout.RefundReasons.Contains(reason.GetValue<string>())))
        {
            return new("invalid_reason", "reason must be one of: duplicate, requested_by_customer, fraudolent.");
        }

        var details = body["refundDetails"];
        if (details is not null && (details.GetValueKind() != JsonValueKind.String || details.GetValue<string>().Length > MaxTextLength))
        {
            return new("invalid_request", $"refundDetails must be text of at most {MaxTextLength} characters.");
        }

        return checkout.Refund(amount, reason?.GetValue<string>(), details?.GetValue<string>(), state.Timestamp());
    }

    private static NeuroPaySandboxError? Update(NeuroPaySandboxCheckout checkout, JsonObject body, NeuroPaySandboxState state)
    {
        if (body["metaData"] is not JsonObject meta)
        {
            return new("invalid_request", "metaData must be an object of keys and values.");
        }

        var changes = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in meta)
        {
            if (value is null)
            {
                changes.Add(new(key, string.Empty));
            }
            else if (Scalar(value) is { } text)
            {
                changes.Add(new(key, text));
            }
            else
            {
                return new("invalid_request", "metaData values must be text, numbers or booleans.");
            }
        }

        checkout.Update(changes, state.Timestamp());
        return null;
    }

    private static async Task<IResult> CreateCustomerAsync(HttpContext http, NeuroPaySandboxState state, string prefix, CancellationToken cancellationToken)
    {
        var (owner, body, refused) = await ReadApiCallAsync(http, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var missing = CustomerFields.Where(f => Text(body!, f) is not { Length: > 0 and <= 255 }).ToList();
        if (missing.Count > 0)
        {
            return Error(new("invalid_request", $"{string.Join(", ", missing)}: required, text of at most 255 characters."));
        }

        if (!Email().IsMatch(Text(body!, "email")!))
        {
            return Error(new("invalid_request", "email is not a valid e-mail address."));
        }

        if (ReadMetaData(body!["metaData"]) is not { } meta)
        {
            return Error(new("invalid_request", "metaData must be an object (or an array of key/value pairs)."));
        }

        var customer = state.AddCustomer(new NeuroPaySandboxCustomer(NeuroPaySandboxState.NewId(), owner!,
            Text(body!, "first_name")!, Text(body!, "last_name")!, Text(body!, "email")!, meta, state.Timestamp()));
        return Json(customer.ToJson(ClientPageUrl(http, prefix, customer.Id)), StatusCodes.Status200OK);
    }

    private static async Task<IResult> OnCustomerAsync(HttpContext http, NeuroPaySandboxState state, string prefix, bool delete, CancellationToken cancellationToken)
    {
        var (owner, body, refused) = await ReadApiCallAsync(http, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (Text(body!, "customer_id") is not { Length: > 0 } id)
        {
            return Error(new("invalid_request", "customer_id is required."));
        }

        if (state.FindCustomer(owner!, id) is not { } customer || (delete && !state.RemoveCustomer(customer)))
        {
            return Error(new("not_found", "Customer not found.", StatusCodes.Status404NotFound));
        }

        return Json(customer.ToJson(ClientPageUrl(http, prefix, customer.Id)), StatusCodes.Status200OK);
    }

    private static IResult CheckoutPage(string checkoutId, [FromServices] NeuroPaySandboxState state)
    {
        if (state.FindCheckout(checkoutId) is not { } checkout)
        {
            return Html(NeuroPaySandboxPages.NotFound("checkout"), StatusCodes.Status404NotFound);
        }

        var view = checkout.View();
        return Html(view.Status == NeuroPaySandboxCheckout.Created ? NeuroPaySandboxPages.PaymentPage(view) : NeuroPaySandboxPages.Closed(view),
            StatusCodes.Status200OK);
    }

    /// <summary>
    /// The shopper's choice: Pay (saving the card when asked and allowed), Decline, or Cancel. As Neuro-Pay does, the
    /// browser is then sent to <c>returnUrl</c> (<c>returnUrlCancel</c> for Cancel), with nothing appended.
    /// </summary>
    private static async Task<IResult> DecideAsync(HttpContext http, string checkoutId, [FromServices] NeuroPaySandboxState state, CancellationToken cancellationToken)
    {
        var (decision, form, refused) = await ReadDecisionAsync(http.Request, MaxBodyBytes, Decisions, NeuroPaySandboxPages.NotFound("checkout"), cancellationToken,
            unknownDecisionHtml: NeuroPaySandboxPages.NotFound("choice"));
        if (refused is not null)
        {
            return refused;
        }

        if (state.FindCheckout(checkoutId) is not { } checkout)
        {
            return Html(NeuroPaySandboxPages.NotFound("checkout"), StatusCodes.Status404NotFound);
        }

        var view = checkout.View();
        if (checkout.Decide(decision, state.Timestamp()) is not { } target)
        {
            return Html(NeuroPaySandboxPages.Closed(checkout.View()), StatusCodes.Status409Conflict);
        }

        if (decision == "pay" && view.OffersSaveCard && form["save_card"].ToString() is "true" or "on"
            && state.FindCustomer(checkout.Owner, checkout.CustomerId) is { } customer)
        {
            var expiry = state.Clock.GetUtcNow().AddYears(3);
            customer.AddCard("visa", "4242", expiry.ToString("MM'/'yy", CultureInfo.InvariantCulture));
        }

        http.Response.Headers.Location = target;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static IResult ClientPage(string customerId, [FromServices] NeuroPaySandboxState state) =>
        state.FindCustomer(customerId) is { } customer
            ? Html(NeuroPaySandboxPages.ClientPage(customer.Name, customer.Cards), StatusCodes.Status200OK)
            : Html(NeuroPaySandboxPages.NotFound("customer"), StatusCodes.Status404NotFound);

    private static async Task<IResult> SetStatusAsync(HttpContext http, string checkoutId, [FromServices] NeuroPaySandboxState state, CancellationToken cancellationToken)
    {
        var (body, refused) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (Text(body!, "status") is not { Length: > 0 and <= 64 } status)
        {
            return Error(new("invalid_request", "status is required."));
        }

        if (state.FindCheckout(checkoutId) is not { } checkout)
        {
            return Error(new("not_found", "Checkout not found.", StatusCodes.Status404NotFound));
        }

        checkout.SetStatus(status, state.Timestamp());
        return Json(checkout.ToJson(PageUrl(http, PrefixOf(http), checkout.Id)), StatusCodes.Status200OK);
    }

    private static async Task<IResult> AddCardAsync(HttpContext http, string customerId, NeuroPaySandboxState state, string prefix, CancellationToken cancellationToken)
    {
        var (body, refused) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (state.FindCustomer(customerId) is not { } customer)
        {
            return Error(new("not_found", "Customer not found.", StatusCodes.Status404NotFound));
        }

        var last4 = Text(body!, "last4") ?? "4242";
        var expiry = Text(body!, "expiry") ?? "12/30";
        if (!Last4().IsMatch(last4) || !Expiry().IsMatch(expiry))
        {
            return Error(new("invalid_request", "last4 must be 4 digits and expiry MM/YY."));
        }

        customer.AddCard(Text(body!, "brand") ?? "visa", last4, expiry);
        return Json(customer.ToJson(ClientPageUrl(http, prefix, customer.Id)), StatusCodes.Status200OK);
    }

    /// <summary>Validates the create body; null when it is invalid (then <see cref="ReadCreateError"/> says why).</summary>
    private static NeuroPaySandboxCheckoutRequest? ReadCreate(JsonObject body) =>
        ReadCreateError(body) is null
            ? new NeuroPaySandboxCheckoutRequest(
                Text(body, "identifier"),
                body["amount"]!.GetValue<long>(),
                Text(body, "currency")!,
                Text(body, "message")!,
                Bool(body, "capture") ?? true,
                Bool(body, "allowSaveCard") ?? true,
                Text(body, "returnUrl")!,
                Text(body, "returnUrlCancel")!,
                Text(body, "customer_id"),
                Text(body, "card_id"),
                Text(body, "template"),
                ReadMetaData(body["metaData"])!)
            : null;

    private static NeuroPaySandboxError? ReadCreateError(JsonObject body)
    {
        if (body["amount"] is not { } amount || amount.GetValueKind() != JsonValueKind.Number
            || !amount.AsValue().TryGetValue<long>(out var minor) || minor < 1 || minor > int.MaxValue)
        {
            return new("invalid_amount", "amount is required: a positive int in the currency's smallest unit.");
        }

        if (Text(body, "currency") is not { } currency || !Currency().IsMatch(currency))
        {
            return new("invalid_currency", "currency is required: a 3-letter code such as SEK.");
        }

        if (Text(body, "message") is not { Length: > 0 and <= 255 })
        {
            return new("invalid_request", "message is required: text of at most 255 characters.");
        }

        foreach (var field in new[] { "returnUrl", "returnUrlCancel" })
        {
            if (!Uri.TryCreate(Text(body, field), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                return new("invalid_request", $"{field} is required: an absolute http(s) URL.");
            }
        }

        foreach (var field in new[] { "capture", "allowSaveCard" })
        {
            if (body[field] is { } flag && flag.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return new("invalid_request", $"{field} must be a boolean.");
            }
        }

        foreach (var field in new[] { "identifier", "customer_id", "card_id", "template" })
        {
            if (body[field] is { } value && (value.GetValueKind() != JsonValueKind.String || value.GetValue<string>().Length is 0 or > 255))
            {
                return new("invalid_request", $"{field} must be text of 1 to 255 characters.");
            }
        }

        if (body["card_id"] is not null && body["customer_id"] is null)
        {
            return new("invalid_request", "card_id requires customer_id.");
        }

        if (Text(body, "template") is { } template && template != "iframe")
        {
            return new("invalid_request", "template can only be \"iframe\".");
        }

        return ReadMetaData(body["metaData"]) is null ? new("invalid_request", "metaData must be an object (or an array of key/value pairs).") : null;
    }

    /// <summary>metaData as an object, or as the wiki's "key value pair array"; null when it is neither.</summary>
    private static Dictionary<string, string>? ReadMetaData(JsonNode? node)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (node)
        {
            case null:
                return result;
            case JsonObject obj:
                foreach (var (k, v) in obj)
                {
                    if (v is null || Scalar(v) is not { } text)
                    {
                        return null;
                    }

                    result[k] = text;
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not JsonObject pair || Text(pair, "key") is not { } key || pair["value"] is not { } value || Scalar(value) is not { } text)
                    {
                        return null;
                    }

                    result[key] = text;
                }

                break;
            default:
                return null;
        }

        return result.Count <= MaxMetaDataEntries && result.All(kv => kv.Key.Length <= 255 && kv.Value.Length <= MaxTextLength) ? result : null;
    }

    /// <summary>The bearer key (401 otherwise) and the JSON object body of an API call.</summary>
    private static async Task<(string? Owner, JsonObject? Body, IResult? Refused)> ReadApiCallAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var auth = http.Request.Headers.Authorization.ToString();
        var key = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..].Trim() : string.Empty;
        if (key.Length == 0)
        {
            return (null, null, Error(new("unauthorized", "A valid API key is required as a bearer token.", StatusCodes.Status401Unauthorized)));
        }

        var (body, refused) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        return (NeuroPaySandboxState.Owner(key), body, refused);
    }

    private static async Task<(JsonObject? Body, IResult? Refused)> ReadJsonObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request))
        {
            return (null, Error(new("unsupported_media_type", "Send JSON (Content-Type: application/json).", StatusCodes.Status415UnsupportedMediaType)));
        }

        if (await ReadBoundedAsync(request, MaxBodyBytes, cancellationToken) is not { } raw)
        {
            return (null, Error(new("too_large", "The request body is too large.", StatusCodes.Status413PayloadTooLarge)));
        }

        try
        {
            return JsonNode.Parse(raw, documentOptions: new JsonDocumentOptions { MaxDepth = 32 }) is JsonObject body
                ? (body, null)
                : (null, Error(new("invalid_request", "The body must be a JSON object.")));
        }
        catch (JsonException)
        {
            return (null, Error(new("invalid_request", "The body is not valid JSON.")));
        }
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

    private static IResult Error(NeuroPaySandboxError error) =>
        Json(new JsonObject { ["error"] = error.Code, ["message"] = error.Message }, error.Status);

    [GeneratedRegex("^[A-Z]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex Currency();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"^\d{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex Last4();

    [GeneratedRegex(@"^(0[1-9]|1[0-2])/\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex Expiry();
}
