using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Payments.Core.Money;
using static Payments.Sandbox.SandboxHttp;

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

    private static async Task<IResult> CreateOrderAsync(HttpContext http, [FromServices] NextSandboxState state, CancellationToken cancellationToken)
    {
        if (CheckHeaders(http.Request) is { } refused)
        {
            return refused;
        }

        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        var errors = new JsonObject();
        var lines = ReadLines(body["lines"], errors);

        var currency = "CHF";
        if (body["currency"] is { } c)
        {
            if (c.GetValueKind() != JsonValueKind.String || !CurrencyCode().IsMatch(c.GetValue<string>()))
            {
                Error(errors, "currency", "Enter a valid 3-letter currency code.");
            }
            else
            {
                currency = c.GetValue<string>();
            }
        }

        var paymentMethod = body["payment_method"] is { } pm && pm.GetValueKind() == JsonValueKind.String ? pm.GetValue<string>() : null;
        if (paymentMethod != "twint")
        {
            Error(errors, "payment_method", "The sandbox simulates \"twint\" only.");
        }
        else if (currency != "CHF")
        {
            Error(errors, "currency", "Twint supports CHF only.");
        }

        string? returnUrl = null;
        if (body["payment_details"] is not JsonObject details)
        {
            Error(errors, "payment_details", "This field is required for redirect payment methods.");
        }
        else
        {
            returnUrl = details["payment_return_url"] is { } u && u.GetValueKind() == JsonValueKind.String ? u.GetValue<string>() : null;
            if (!Uri.TryCreate(returnUrl, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
            {
                Error(errors, "payment_details", "payment_return_url: Enter a valid URL.");
            }

            foreach (var key in new[] { "payment_gateway", "payment_gateway_group" })
            {
                if (details[key] is { } id && (id.GetValueKind() != JsonValueKind.Number || !id.AsValue().TryGetValue<int>(out var n) || n <= 0))
                {
                    Error(errors, "payment_details", $"{key}: A valid integer is required.");
                }
            }
        }

        long shipping = 0;
        if (body["shipping_price"] is { } sp && !TryDecimal(sp, out shipping))
        {
            Error(errors, "shipping_price", "Enter a valid decimal with at most 10 digits and 2 decimal places.");
        }

        if (body["metadata"] is { } metadata && metadata.GetValueKind() is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            Error(errors, "metadata", "Expected a dictionary of items.");
        }

        if (body["user"] is { } user)
        {
            if (user is not JsonObject u)
            {
                Error(errors, "user", "Invalid data. Expected a dictionary.");
            }
            else if (u["email"] is { } email && (email.GetValueKind() != JsonValueKind.String || !Email().IsMatch(email.GetValue<string>())))
            {
                Error(errors, "user", "email: Enter a valid email address.");
            }
        }

        foreach (var key in new[] { "shipping_address", "billing_address" })
        {
            if (body[key] is JsonObject address)
            {
                foreach (var required in new[] { "first_name", "last_name", "line1", "line4", "country" })
                {
                    if (address[required] is not { } v || v.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetValue<string>()))
                    {
                        Error(errors, key, $"{required}: This field is required.");
                    }
                }
            }
        }

        if (errors.Count > 0)
        {
            return Json(errors, StatusCodes.Status400BadRequest);
        }

        var session = state.OpenSession(body, lines, shipping, currency, returnUrl!);
        var pageUrl = $"{Origin(http.Request)}{CheckoutPath(http.Request.Path, session.Id)}";
        return Json(new JsonObject { ["reference_transaction_id"] = null, ["payment_complete_url"] = pageUrl }, StatusCodes.Status201Created);
    }

    private static IResult GetOrder(HttpContext http, string number, [FromServices] NextSandboxState state)
    {
        if (CheckHeaders(http.Request) is { } refused)
        {
            return refused;
        }

        return state.FindOrder(number) is { } order
            ? Json(order.ToJson(), StatusCodes.Status200OK)
            : NotFound();
    }

    private static async Task<IResult> AddLineItemsAsync(HttpContext http, string number, [FromServices] NextSandboxState state, CancellationToken cancellationToken)
    {
        if (CheckHeaders(http.Request) is { } refused)
        {
            return refused;
        }

        if (state.FindOrder(number) is not { } order)
        {
            return NotFound();
        }

        state.CountAddLineItems();
        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        var errors = new JsonObject();
        var lines = ReadLines(body["lines"], errors);
        if (errors.Count > 0)
        {
            return Json(errors, StatusCodes.Status400BadRequest);
        }

        if (order.PaymentStatus is not ("paid" or "partially_refunded"))
        {
            return Json(new JsonObject { ["detail"] = "The order's payment method cannot be charged again: the order is not paid." }, StatusCodes.Status400BadRequest);
        }

        order.AddLines(lines, isUpsell: true, state);
        order.AddTransaction(lines.Sum(l => l.PriceMinor * l.Quantity), "succeeded", state);
        return Json(order.ToJson(), StatusCodes.Status200OK);
    }

    private static IResult GetSubscription(HttpContext http, long id, [FromServices] NextSandboxState state)
    {
        if (CheckHeaders(http.Request) is { } refused)
        {
            return refused;
        }

        return state.FindSubscription(id) is { } subscription
            ? Json(subscription.ToJson(), StatusCodes.Status200OK)
            : NotFound();
    }

    private static IResult RenewSubscription(HttpContext http, long id, [FromServices] NextSandboxState state)
    {
        if (CheckHeaders(http.Request) is { } refused)
        {
            return refused;
        }

        if (state.FindSubscription(id) is not { } subscription)
        {
            return NotFound();
        }

        return state.Renew(subscription) is { } renewed
            ? Json(renewed.ToJson(), StatusCodes.Status200OK)
            : Json(new JsonObject { ["detail"] = "A canceled subscription cannot be renewed." }, StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> SetSubscriptionStatusAsync(HttpContext http, long id, [FromServices] NextSandboxState state, CancellationToken cancellationToken)
    {
        if (state.FindSubscription(id) is not { } subscription)
        {
            return NotFound();
        }

        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        if (body["status"] is not { } s || s.GetValueKind() != JsonValueKind.String
            || s.GetValue<string>() is not ("active" or "past_due" or "canceled" or "retrying" or "paused"))
        {
            return Json(new JsonObject { ["status"] = new JsonArray("Must be active, past_due, canceled, retrying or paused.") }, StatusCodes.Status400BadRequest);
        }

        lock (subscription.Lock)
        {
            subscription.Status = s.GetValue<string>();
        }

        return Json(subscription.ToJson(), StatusCodes.Status200OK);
    }

    private static IResult CheckoutPage(string session, [FromServices] NextSandboxState state) =>
        state.FindSession(session) is { } s
            ? Html(NextSandboxPages.PaymentPage(s), StatusCodes.Status200OK)
            : Html(NextSandboxPages.Gone(), StatusCodes.Status404NotFound);

    /// <summary>
    /// The shopper's choice. As at NEXT, the browser is then sent to <c>payment_return_url</c> with an
    /// auto-submitting form: <c>response</c> = the order JSON, or <c>{}</c> when no order was created.
    /// </summary>
    private static async Task<IResult> DecideAsync(HttpContext http, string session, [FromServices] NextSandboxState state, CancellationToken cancellationToken)
    {
        var (decision, _, refused) = await ReadDecisionAsync(http.Request, MaxBodyBytes, Decisions, NextSandboxPages.Gone(), cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (state.CloseSession(session) is not { } s)
        {
            return Html(NextSandboxPages.Gone(), StatusCodes.Status404NotFound);
        }

        var response = decision switch
        {
            "pay" => state.CreateOrder(s, "paid").ToJson(),
            "pending" => state.CreateOrder(s, "pending").ToJson(),
            _ => "{}",
        };
        return Html(NextSandboxPages.ReturnPage(s.ReturnUrl, response), StatusCodes.Status200OK);
    }

    private static async Task<IResult> SetPaymentStatusAsync(HttpContext http, string number, [FromServices] NextSandboxState state, CancellationToken cancellationToken)
    {
        if (state.FindOrder(number) is not { } order)
        {
            return NotFound();
        }

        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        if (body["payment_status"] is not { } s || s.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(s.GetValue<string>()))
        {
            return Json(new JsonObject { ["payment_status"] = new JsonArray("This field is required.") }, StatusCodes.Status400BadRequest);
        }

        order.SetPaymentStatus(s.GetValue<string>(), state);
        return Json(order.ToJson(), StatusCodes.Status200OK);
    }

    private static async Task<IResult> RefundAsync(HttpContext http, string number, [FromServices] NextSandboxState state, CancellationToken cancellationToken)
    {
        if (CheckHeaders(http.Request) is { } refused)
        {
            return refused;
        }

        if (state.FindOrder(number) is not { } order)
        {
            return NotFound();
        }

        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        if (body["transactions"] is not JsonArray array || array.Count == 0)
        {
            return Json(new JsonObject { ["transactions"] = new JsonArray("This field is required.") }, StatusCodes.Status400BadRequest);
        }

        var parts = new List<(long, long)>();
        foreach (var item in array)
        {
            if (item is not JsonObject t || t["id"] is not { } id || id.GetValueKind() != JsonValueKind.Number || !id.AsValue().TryGetValue<long>(out var txId)
                || t["amount"] is not { } a || !TryDecimal(a, out var amount))
            {
                return Json(new JsonObject { ["transactions"] = new JsonArray("Each item needs an integer id and a decimal amount.") }, StatusCodes.Status400BadRequest);
            }

            parts.Add((txId, amount));
        }

        var note = body["note"] is { } n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null;
        var (refund, error) = order.Refund(parts, note, state);
        if (error is not null)
        {
            return Json(error, StatusCodes.Status400BadRequest);
        }

        state.CountRefund();
        return Json(refund!, StatusCodes.Status200OK);
    }

    private static async Task<IResult> CancelAsync(HttpContext http, string number, [FromServices] NextSandboxState state, CancellationToken cancellationToken)
    {
        if (CheckHeaders(http.Request) is { } refused)
        {
            return refused;
        }

        if (state.FindOrder(number) is not { } order)
        {
            return NotFound();
        }

        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        if (body["cancel_reason"] is not { } r || r.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(r.GetValue<string>()))
        {
            return Json(new JsonObject { ["cancel_reason"] = new JsonArray("This field is required.") }, StatusCodes.Status400BadRequest);
        }

        return order.Cancel(r.GetValue<string>(), state) is { } error
            ? Json(error, StatusCodes.Status400BadRequest)
            : Json(order.ToJson(), StatusCodes.Status200OK);
    }

    /// <summary>NEXT's OAuth bearer token (any non-empty one here) and the API version header, on every API call.</summary>
    private static IResult? CheckHeaders(HttpRequest request)
    {
        var auth = request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(auth["Bearer ".Length..]))
        {
            return Json(new JsonObject { ["detail"] = "Authentication credentials were not provided." }, StatusCodes.Status401Unauthorized);
        }

        var version = request.Headers[ApiVersionHeader].ToString();
        if (!ApiVersions.Contains(version))
        {
            return Json(new JsonObject
            {
                ["detail"] = $"Invalid or missing {ApiVersionHeader} header. Supported versions: {string.Join(", ", ApiVersions)}.",
            }, StatusCodes.Status400BadRequest);
        }

        return null;
    }

    private static List<SandboxLine> ReadLines(JsonNode? node, JsonObject errors)
    {
        var lines = new List<SandboxLine>();
        if (node is not JsonArray array || array.Count == 0)
        {
            Error(errors, "lines", "This field is required and must not be empty.");
            return lines;
        }

        if (array.Count > MaxLines)
        {
            Error(errors, "lines", $"Ensure this field has no more than {MaxLines} elements.");
            return lines;
        }

        for (var i = 0; i < array.Count; i++)
        {
            var where = $"lines[{i}]";
            if (array[i] is not JsonObject line)
            {
                Error(errors, "lines", $"{where}: Invalid data. Expected a dictionary.");
                continue;
            }

            long productId = 0;
            if (line["product_id"] is not { } p || p.GetValueKind() != JsonValueKind.Number || !p.AsValue().TryGetValue(out productId) || productId <= 0)
            {
                Error(errors, "lines", $"{where}.product_id: A valid integer is required.");
            }

            int quantity = 0;
            if (line["quantity"] is not { } q || q.GetValueKind() != JsonValueKind.Number || !q.AsValue().TryGetValue(out quantity) || quantity < 1)
            {
                Error(errors, "lines", $"{where}.quantity: Ensure this value is greater than or equal to 1.");
            }

            var price = CataloguePrice;
            if (line["price"] is { } priceNode && !TryDecimal(priceNode, out price))
            {
                Error(errors, "lines", $"{where}.price: Enter a valid decimal with at most 10 digits and 2 decimal places.");
            }

            JsonObject? subscription = null;
            if (line["subscription"] is { } sub)
            {
                subscription = sub as JsonObject;
                var interval = subscription?["interval"] is { } iv && iv.GetValueKind() == JsonValueKind.String ? iv.GetValue<string>() : null;
                var count = subscription?["interval_count"] is { } ic && ic.GetValueKind() == JsonValueKind.Number && ic.AsValue().TryGetValue<int>(out var n) ? n : 0;
                if (interval is not ("day" or "week" or "month" or "year") || count < 1)
                {
                    Error(errors, "lines", $"{where}.subscription: interval must be day, week, month or year and interval_count at least 1.");
                }
            }

            lines.Add(new SandboxLine(productId, quantity, price, subscription));
        }

        return lines;
    }

    /// <summary>A NEXT decimal (a string matching <c>^-?\d{0,10}(?:\.\d{0,2})?$</c>; numbers accepted too) in cents.</summary>
    private static bool TryDecimal(JsonNode node, out long minor)
    {
        minor = 0;
        var text = node.GetValueKind() switch
        {
            JsonValueKind.String => node.GetValue<string>(),
            JsonValueKind.Number => node.ToJsonString(),
            _ => null,
        };
        return text is not null && NextDecimal().IsMatch(text)
            && Money.TryParseMinor(text, 2, allowNegative: true, out minor, out _);
    }

    private static async Task<(JsonObject? Body, IResult? Error)> ReadJsonObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request))
        {
            return (null, Json(new JsonObject { ["detail"] = $"Unsupported media type \"{request.ContentType}\" in request." }, StatusCodes.Status415UnsupportedMediaType));
        }

        if (await ReadBoundedAsync(request, MaxBodyBytes, cancellationToken) is not { } raw)
        {
            return (null, Json(new JsonObject { ["detail"] = "Request body too large." }, StatusCodes.Status413PayloadTooLarge));
        }

        try
        {
            return JsonNode.Parse(raw) is JsonObject body
                ? (body, null)
                : (null, Json(new JsonObject { ["non_field_errors"] = new JsonArray("Invalid data. Expected a dictionary.") }, StatusCodes.Status400BadRequest));
        }
        catch (JsonException)
        {
            return (null, Json(new JsonObject { ["detail"] = "JSON parse error." }, StatusCodes.Status400BadRequest));
        }
    }

    private static string CheckoutPath(PathString createPath, string session)
    {
        // createPath is {prefix}/api/admin/orders/ (with or without the trailing slash).
        var path = createPath.Value!.TrimEnd('/');
        var prefix = path[..^"/api/admin/orders".Length];
        return $"{prefix}/checkout/{session}/";
    }

    private static void Error(JsonObject errors, string field, string message)
    {
        if (errors[field] is not JsonArray list)
        {
            list = [];
            errors[field] = list;
        }

        list.Add(message);
    }

    private static IResult NotFound() => Json(new JsonObject { ["detail"] = "Not found." }, StatusCodes.Status404NotFound);

    [GeneratedRegex(@"^-?\d{0,10}(?:\.\d{0,2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex NextDecimal();

    [GeneratedRegex(@"^[A-Z]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex CurrencyCode();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Email();
}
