using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using static Payments.Sandbox.SandboxHttp;

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

    // ---- v4 -----------------------------------------------------------------------------------------------------

    private static async Task<IResult> CreateCheckoutAsync(HttpContext http, string prefix, TwistoSandboxState state, CancellationToken cancellationToken)
    {
        if (Auth(http.Request, "Bearer") is { } refused)
        {
            return refused;
        }

        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        var c = new TwistoSandboxChecks();
        var type = c.Choice(body, "type", "type", required: false, CheckoutTypes) ?? "standard";
        var config = c.Object(body, "config", "config", required: true);
        c.Url(config, "redirect_uri", "config.redirect_uri", required: true, max: 1000);

        var shopper = c.Object(body, "shopper", "shopper", required: true);
        if (shopper is not null)
        {
            foreach (var name in new[] { "first_name", "middle_name", "last_name", "last_name2" })
            {
                c.Text(shopper, name, $"shopper.{name}", required: false, max: 40, allowNull: true);
            }

            c.Text(shopper, "phone", "shopper.phone", required: false, max: 20, allowNull: true);
            c.Date(shopper, "birth_date", "shopper.birth_date", required: false, allowNull: true);
            c.Text(shopper, "personal_id", "shopper.personal_id", required: false, max: 11, allowNull: true);
            c.Email(shopper, "email", "shopper.email", required: true);
            if (c.Object(shopper, "billing_address", "shopper.billing_address", required: false, allowNull: true) is { } address)
            {
                foreach (var name in new[] { "line1", "line2", "city", "state", "postal_code" })
                {
                    c.Text(address, name, $"shopper.billing_address.{name}", required: false, allowNull: true);
                }

                c.Text(address, "country", "shopper.billing_address.country", required: false, max: 2, allowNull: true, min: 2);
            }

            if (c.Object(shopper, "statistics", "shopper.statistics", required: false, allowNull: true) is { } statistics)
            {
                foreach (var name in new[] { "account_created", "last_login", "sales_total_amount", "sales_avg_amount", "sales_max_amount", "refunds_total_amount", "fraud_check_result" })
                {
                    c.Text(statistics, name, $"shopper.statistics.{name}", required: false, allowNull: true);
                }

                c.Integer(statistics, "sales_total_count", "shopper.statistics.sales_total_count", required: false, min: 0);
                c.Text(statistics, "currency", "shopper.statistics.currency", required: false, max: 3, allowNull: true);
                c.Boolean(statistics, "has_previous_purchases", "shopper.statistics.has_previous_purchases", required: false);
                c.Boolean(statistics, "previous_chargeback", "shopper.statistics.previous_chargeback", required: false);
            }
        }

        var order = c.Object(body, "order", "order", required: true);
        var reference = c.Text(order, "reference", "order.reference", required: false, max: 200);
        var amount = c.Decimal(order, "amount", "order.amount", required: true);
        var currency = c.Text(order, "currency", "order.currency", required: true, max: 3);
        if (currency is not null && !CurrencyCode().IsMatch(currency))
        {
            c.Add("order.currency", "Enter an ISO-4217 currency code.");
        }

        if (amount is <= 0)
        {
            c.Add("order.amount", "Ensure this value is greater than 0.");
        }

        var items = c.Array(order, "items", "order.items", required: false, MaxItems);
        var itemsTotal = ReadItems(c, items, "order.items", v2: false);
        if (c.Ok && items is { Count: > 0 } && itemsTotal != amount)
        {
            c.Add("order.items", "The items (amount × quantity) do not add up to the order amount.");
        }

        c.Text(body, "merchant_reference", "merchant_reference", required: true);
        if (!c.Ok)
        {
            return BadRequest(c);
        }

        var id = TwistoSandboxState.NewId();
        var checkout = new JsonObject
        {
            ["id"] = id,
            ["uri"] = $"{Origin(http.Request)}{prefix}/gateway/v4/{id}",
            ["type"] = type,
            ["config"] = new JsonObject { ["redirect_uri"] = config!["redirect_uri"]!.DeepClone() },
            ["created"] = state.Timestamp(),
            ["settled"] = null,
            ["state"] = "created",
            ["shopper"] = Shopper(shopper!),
            ["order"] = new JsonObject
            {
                ["reference"] = reference ?? TwistoSandboxState.RandomReference(),
                ["amount"] = TwistoSandboxState.Money(amount!.Value),
                ["currency"] = currency,
                ["items"] = items?.DeepClone() ?? new JsonArray(),
            },
            ["merchant_reference"] = body["merchant_reference"]!.DeepClone(),
        };
        var created = state.AddCheckout(checkout, (JsonObject)body.DeepClone());
        return Json(created.ToJson(), StatusCodes.Status201Created);
    }

    private static IResult GetCheckout(HttpContext http, string id, [FromServices] TwistoSandboxState state)
    {
        if (Auth(http.Request, "Bearer") is { } refused)
        {
            return refused;
        }

        return state.FindCheckout(id) is { } checkout ? Json(checkout.ToJson(), StatusCodes.Status200OK) : NotFound();
    }

    /// <summary><c>POST /checkouts/{id}/cancel</c>: "works only before charge captured"; no body; answers the checkout.</summary>
    private static async Task<IResult> CancelCheckoutAsync(HttpContext http, string id, [FromServices] TwistoSandboxState state, CancellationToken cancellationToken)
    {
        if (Auth(http.Request, "Bearer") is { } refused)
        {
            return refused;
        }

        if (state.FindCheckout(id) is not { } checkout)
        {
            return NotFound();
        }

        var key = IdempotencyKey(http.Request);
        bool changed;
        string answer;
        lock (state.Writes)
        {
            if (Replayed(state, $"cancel {id}", key, string.Empty) is { } replayed)
            {
                return replayed;
            }

            if (checkout.State == "completed")
            {
                return Errors("state", "The checkout cannot be cancelled: its charge was captured.");
            }

            changed = checkout.State is "created" or "approved" && checkout.SetState("cancelled");
            checkout.Close();
            answer = checkout.ToJson();
            state.Remember($"cancel {id}", key, string.Empty, StatusCodes.Status200OK, answer);
        }

        if (changed)
        {
            await state.NotifyAsync(checkout, cancellationToken);
        }

        return Json(answer, StatusCodes.Status200OK);
    }

    /// <summary><c>POST /charges</c>: charges an approved checkout in full (accounts without Immediate Capture).</summary>
    private static async Task<IResult> CreateChargeAsync(HttpContext http, [FromServices] TwistoSandboxState state, CancellationToken cancellationToken)
    {
        if (Auth(http.Request, "Bearer") is { } refused)
        {
            return refused;
        }

        var (body, raw, bodyError) = await ReadJsonObjectWithRawAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        var c = new TwistoSandboxChecks();
        var authority = c.Object(body, "authority", "authority", required: true);
        c.Choice(authority, "type", "authority.type", required: true, ["checkout_id"]);
        var checkoutId = c.Text(authority, "value", "authority.value", required: true);
        var reference = c.Text(body, "reference", "reference", required: false, max: 140);
        var amount = c.Decimal(body, "amount", "amount", required: true);
        var currency = c.Text(body, "currency", "currency", required: true, max: 3);
        var capture = c.Boolean(body, "capture", "capture", required: false) ?? true;
        var order = c.Object(body, "order", "order", required: true);
        c.Text(order, "reference", "order.reference", required: true, max: 200);
        var checkout = FindCheckout(c, state, checkoutId, "authority.value");

        if (!c.Ok)
        {
            return BadRequest(c);
        }

        var key = IdempotencyKey(http.Request);
        bool completed;
        string answer;
        lock (state.Writes)
        {
            if (Replayed(state, "charges", key, raw) is { } replayed)
            {
                return replayed;
            }

            var (checkoutAmount, checkoutCurrency, type) = checkout!.Read(j =>
                (ParseMinor(j["order"]!["amount"]!.GetValue<string>()), j["order"]!["currency"]!.GetValue<string>(), j["type"]?.GetValue<string>()));
            if (amount != checkoutAmount || currency != checkoutCurrency)
            {
                return Errors("amount", "Currently only the full amount of the checkout, in its currency, can be charged.");
            }

            // "If checkout is not approved, /charges will be rejected."
            var chargeState = checkout.State != "approved" ? "rejected" : capture ? "captured" : "authorised";
            completed = chargeState == "captured" && checkout.SetState("completed");
            answer = new JsonObject
            {
                ["id"] = TwistoSandboxState.NewId(),
                ["reference"] = reference,
                ["amount"] = TwistoSandboxState.Money(amount!.Value),
                ["currency"] = currency,
                ["captured_amount"] = TwistoSandboxState.Money(chargeState == "captured" ? amount.Value : 0),
                ["refunded_amount"] = "0.00",
                ["created_date"] = state.Timestamp(),
                ["receipt_number"] = TwistoSandboxState.NewReceiptNumber(),
                ["product"] = type == "pay-in-three" ? "in three" : "TwistoPay",
                ["state"] = chargeState,
            }.ToJsonString();
            state.Remember("charges", key, raw, StatusCodes.Status201Created, answer);
        }

        if (completed)
        {
            await state.NotifyAsync(checkout, cancellationToken);
        }

        return Json(answer, StatusCodes.Status201Created);
    }

    /// <summary><c>POST /refunds</c>: "only available after charge has been captured"; partial and repeated refunds allowed.</summary>
    private static async Task<IResult> CreateRefundAsync(HttpContext http, [FromServices] TwistoSandboxState state, CancellationToken cancellationToken)
    {
        if (Auth(http.Request, "Bearer") is { } refused)
        {
            return refused;
        }

        var (body, raw, bodyError) = await ReadJsonObjectWithRawAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        var c = new TwistoSandboxChecks();
        var checkoutId = c.Text(body, "checkout_id", "checkout_id", required: true, max: 255);
        var reference = c.Text(body, "reference", "reference", required: false, max: 140);
        var reason = c.Text(body, "reason", "reason", required: false, max: 255);
        var amount = c.Decimal(body, "amount", "amount", required: true);
        if (amount is <= 0)
        {
            c.Add("amount", "Ensure this value is greater than 0.");
        }

        var checkout = FindCheckout(c, state, checkoutId, "checkout_id");

        if (!c.Ok)
        {
            return BadRequest(c);
        }

        var key = IdempotencyKey(http.Request);
        string answer;
        lock (state.Writes)
        {
            if (Replayed(state, "refunds", key, raw) is { } replayed)
            {
                return replayed;
            }

            if (checkout!.State != "completed")
            {
                return Errors("checkout_id", "A refund is only available after the charge has been captured.");
            }

            if (!checkout.TryRefund(amount!.Value))
            {
                return Errors("amount", "The refund is more than what is left to refund.");
            }

            answer = new JsonObject
            {
                ["id"] = TwistoSandboxState.NewId(),
                ["reason"] = reason,
                ["amount"] = TwistoSandboxState.Money(amount.Value),
                ["created_date"] = state.Timestamp(),
                ["reference"] = reference,
                ["checkout_id"] = checkoutId,
            }.ToJsonString();
            state.Remember("refunds", key, raw, StatusCodes.Status201Created, answer);
        }

        await state.NotifyAsync(checkout, cancellationToken);
        return Json(answer, StatusCodes.Status201Created);
    }

    // ---- v2 -----------------------------------------------------------------------------------------------------

    private static async Task<IResult> CreateOrderAsync(HttpContext http, string prefix, TwistoSandboxState state, CancellationToken cancellationToken)
    {
        if (Auth(http.Request, "Token") is { } refused)
        {
            return refused;
        }

        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        var c = new TwistoSandboxChecks();
        var service = c.Choice(body, "service", "service", required: false, Services) ?? "twisto-pay";
        var externalId = c.Text(body, "order_external_id", "order_external_id", required: true, max: 36);
        c.Text(body, "payment_identifier", "payment_identifier", required: false, max: 140);
        c.Url(body, "return_url", "return_url", required: true, max: 2048);
        var orderData = c.Object(body, "order_data", "order_data", required: true);
        c.Text(orderData, "eshop_external_id", "order_data.eshop_external_id", required: true, max: 36);
        var amount = c.Decimal(orderData, "amount", "order_data.amount", required: true);
        if (amount is <= 0)
        {
            c.Add("order_data.amount", "Ensure this value is greater than 0.");
        }

        if (c.Array(body, "transaction_history", "transaction_history", required: false, MaxItems) is { } history)
        {
            for (var i = 0; i < history.Count; i++)
            {
                var path = $"transaction_history[{i}]";
                if (history[i] is not JsonObject entry)
                {
                    c.Add(path, "Invalid data. Expected a dictionary.");
                    continue;
                }

                c.Date(entry, "date", $"{path}.date", required: true);
                c.Text(entry, "transaction_id", $"{path}.transaction_id", required: true);
                c.Text(entry, "eshop_external_id", $"{path}.eshop_external_id", required: true, max: 36);
                c.Decimal(entry, "amount", $"{path}.amount", required: true);
                c.Integer(entry, "mcc", $"{path}.mcc", required: false, min: 0);
                c.Boolean(entry, "is_canceled", $"{path}.is_canceled", required: true);
                c.Choice(entry, "payment_type", $"{path}.payment_type", required: true, PaymentTypes);
            }
        }

        var customer = c.Object(body, "customer_data", "customer_data", required: true);
        if (customer is not null)
        {
            c.Email(customer, "email", "customer_data.email", required: false);
            foreach (var name in new[] { "first_name", "last_name", "phone_number", "street_name", "street_number", "apartment_number", "city", "zipcode", "personal_id" })
            {
                c.Text(customer, name, $"customer_data.{name}", required: false, allowNull: true);
            }

            c.Text(customer, "country", "customer_data.country", required: false, max: 2, allowNull: true);
        }

        var items = c.Array(body, "items", "items", required: false, MaxItems);
        var itemsTotal = ReadItems(c, items, "items", v2: true);
        if (c.Ok && items is { Count: > 0 } && itemsTotal != amount)
        {
            c.Add("items", "The items (amount × quantity) do not add up to order_data.amount.");
        }

        if (!c.Ok)
        {
            return BadRequest(c);
        }

        var id = TwistoSandboxState.NewId();
        var money = TwistoSandboxState.Money(amount!.Value);
        var order = new JsonObject
        {
            ["id"] = id,
            ["external_id"] = externalId,
            ["redirect_url"] = $"{Origin(http.Request)}{prefix}/gateway/v2/{id}",
            ["initial_amount"] = money,
            ["current_amount"] = money,
            ["refund_amount"] = "0.00",
            ["date_settled"] = null,
            ["status"] = "new",
            ["service"] = service,
        };
        var created = state.AddOrder(order, (JsonObject)body.DeepClone());
        return Json(created.ToJson(), StatusCodes.Status201Created);
    }

    private static IResult GetOrder(HttpContext http, string id, [FromServices] TwistoSandboxState state)
    {
        if (Auth(http.Request, "Token") is { } refused)
        {
            return refused;
        }

        return state.FindOrder(id) is { } order ? Json(order.ToJson(), StatusCodes.Status200OK) : NotFound();
    }

    /// <summary>
    /// <c>POST /order/{id}/activate</c> (accepted → activated), <c>/cancel</c> (before activation → canceled),
    /// <c>/refund</c> (after activation, <c>{amount, external_id}</c>; the same external_id again replays).
    /// </summary>
    private static async Task<IResult> OrderActionAsync(HttpContext http, string id, string action, [FromServices] TwistoSandboxState state, CancellationToken cancellationToken)
    {
        if (Auth(http.Request, "Token") is { } refused)
        {
            return refused;
        }

        if (action is not ("activate" or "cancel" or "refund") || state.FindOrder(id) is not { } order)
        {
            return NotFound();
        }

        JsonObject? body = null;
        var raw = string.Empty;
        if (action == "refund")
        {
            (body, raw, var bodyError) = await ReadJsonObjectWithRawAsync(http.Request, cancellationToken);
            if (body is null)
            {
                return bodyError!;
            }
        }

        string answer;
        var status = StatusCodes.Status200OK;
        lock (state.Writes)
        {
            switch (action)
            {
                case "activate":
                    if (order.State != "accepted")
                    {
                        return Errors("status", $"Only an accepted order can be activated; this one is {order.State}.");
                    }

                    order.SetState("activated");
                    answer = order.ToJson();
                    break;
                case "cancel":
                    if (order.State is not ("new" or "data_completed" or "checking" or "accepted"))
                    {
                        return Errors("status", $"Only an order not yet activated can be cancelled; this one is {order.State}.");
                    }

                    order.SetState("canceled");
                    order.Close();
                    answer = order.ToJson();
                    break;
                default:
                    var c = new TwistoSandboxChecks();
                    var amount = c.Decimal(body, "amount", "amount", required: true);
                    var externalId = c.Text(body, "external_id", "external_id", required: false, max: 255);
                    if (amount is <= 0)
                    {
                        c.Add("amount", "Ensure this value is greater than 0.");
                    }

                    if (!c.Ok)
                    {
                        return BadRequest(c);
                    }

                    if (Replayed(state, $"refund {id}", externalId, raw) is { } replayed)
                    {
                        return replayed;
                    }

                    if (order.State != "activated")
                    {
                        return Errors("status", $"Only an activated order can be refunded; this one is {order.State}.");
                    }

                    if (!order.TryRefund(amount!.Value))
                    {
                        return Errors("amount", "The refund is more than the order's current amount.");
                    }

                    answer = new JsonObject
                    {
                        ["id"] = TwistoSandboxState.NewId(),
                        ["order"] = JsonNode.Parse(order.ToJson()),
                        ["amount"] = TwistoSandboxState.Money(amount.Value),
                        ["destination_account_number"] = null,
                        ["external_id"] = externalId,
                        ["payment_identifier"] = null,
                    }.ToJsonString();
                    status = StatusCodes.Status201Created;
                    state.Remember($"refund {id}", externalId, raw, status, answer);
                    break;
            }
        }

        await state.NotifyAsync(order, cancellationToken);
        return Json(answer, status);
    }

    // ---- hosted page ----------------------------------------------------------------------------------------------

    private static IResult GatewayPage(string version, string id, [FromServices] TwistoSandboxState state) =>
        state.Find(version, id) is { Decided: false } payment
            ? Html(TwistoSandboxPages.GatewayPage(payment), StatusCodes.Status200OK)
            : Html(TwistoSandboxPages.Gone(), StatusCodes.Status404NotFound);

    /// <summary>
    /// Twisto's scoring, decided by the shopper. Approve: v4 <c>completed</c> (Immediate Capture or Pay in 3) or
    /// <c>approved</c>, v2 <c>accepted</c>; Decline: v4 <c>cancelled</c> ("rejected on scoring"), v2 <c>rejected</c>;
    /// Leave pending: v4 stays <c>created</c>, v2 <c>checking</c>, and the page stays open. Webhooks are sent before
    /// the shopper is returned.
    /// </summary>
    private static async Task<IResult> DecideAsync(HttpContext http, string version, string id, [FromServices] TwistoSandboxState state, CancellationToken cancellationToken)
    {
        if (state.Find(version, id) is not { } payment)
        {
            return Html(TwistoSandboxPages.Gone(), StatusCodes.Status404NotFound);
        }

        var (decision, _, refused) = await ReadDecisionAsync(http.Request, MaxBodyBytes, Decisions, TwistoSandboxPages.Gone(), cancellationToken,
            notAFormStatus: StatusCodes.Status404NotFound);
        if (refused is not null)
        {
            return refused;
        }

        var final = decision != "pending";
        if (version == "v2")
        {
            // "Once the decision process starts, webhook notification with checking status is triggered."
            if (!payment.TryDecide("checking", final: false))
            {
                return Html(TwistoSandboxPages.Gone(), StatusCodes.Status404NotFound);
            }

            await state.NotifyAsync(payment, cancellationToken);
            if (final)
            {
                if (!payment.TryDecide(decision == "approve" ? "accepted" : "rejected", final: true))
                {
                    return Html(TwistoSandboxPages.Gone(), StatusCodes.Status404NotFound);
                }

                await state.NotifyAsync(payment, cancellationToken);
            }

            var outcome = decision switch
            {
                "approve" => "Twisto accepted the purchase",
                "decline" => "Twisto could not accept the purchase",
                _ => "Twisto is still checking",
            };
            return Html(TwistoSandboxPages.DecisionPage(outcome, payment.ReturnUrl), StatusCodes.Status200OK);
        }

        var type = payment.Read(j => j["type"]?.GetValue<string>());
        var next = decision switch
        {
            "approve" => state.Options.ImmediateCapture || type == "pay-in-three" ? "completed" : "approved",
            "decline" => "cancelled",
            _ => "created",
        };
        if (!payment.TryDecide(next, final))
        {
            return Html(TwistoSandboxPages.Gone(), StatusCodes.Status404NotFound);
        }

        if (final)
        {
            await state.NotifyAsync(payment, cancellationToken);
        }

        var back = QueryHelpers.AddQueryString(payment.ReturnUrl, new Dictionary<string, string?> { ["checkout_id"] = id, ["state"] = next });
        http.Response.Headers.Location = back;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static async Task<IResult> FlipAsync(HttpContext http, string version, string id, TwistoSandboxState state, CancellationToken cancellationToken)
    {
        if (state.Find(version, id) is not { } payment)
        {
            return NotFound();
        }

        var (body, bodyError) = await ReadJsonObjectAsync(http.Request, cancellationToken);
        if (body is null)
        {
            return bodyError!;
        }

        var field = version == "v2" ? "status" : "state";
        var c = new TwistoSandboxChecks();
        var word = c.Text(body, field, field, required: true, max: 64);
        if (!c.Ok)
        {
            return BadRequest(c);
        }

        payment.SetState(word!);
        payment.Close();
        await state.NotifyAsync(payment, cancellationToken);
        return Json(payment.ToJson(), StatusCodes.Status200OK);
    }

    // ---- plumbing -------------------------------------------------------------------------------------------------

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

    /// <summary>The checkout's shopper object: every documented field, as sent or null.</summary>
    private static JsonObject Shopper(JsonObject sent)
    {
        var shopper = new JsonObject();
        foreach (var name in new[] { "first_name", "middle_name", "last_name", "last_name2", "phone", "birth_date", "billing_address", "statistics", "personal_id", "email" })
        {
            shopper[name] = sent[name]?.DeepClone();
        }

        return shopper;
    }

    /// <summary>DRF token auth: <c>Authorization: {scheme} {key}</c>; any non-empty key is accepted here.</summary>
    private static IResult? Auth(HttpRequest request, string scheme)
    {
        var auth = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(auth))
        {
            return Json(new JsonObject { ["detail"] = "Authentication credentials were not provided." }.ToJsonString(), StatusCodes.Status401Unauthorized);
        }

        if (!auth.StartsWith(scheme + " ", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(auth[(scheme.Length + 1)..]) || auth[(scheme.Length + 1)..].Contains(' ', StringComparison.Ordinal))
        {
            return Json(new JsonObject { ["detail"] = "Invalid token header." }.ToJsonString(), StatusCodes.Status401Unauthorized);
        }

        return null;
    }

    private static string? IdempotencyKey(HttpRequest request) =>
        request.Headers.TryGetValue("Idempotency-Key", out var key) && !string.IsNullOrEmpty(key.ToString()) ? key.ToString() : null;

    private static async Task<(JsonObject? Body, IResult? Error)> ReadJsonObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, _, error) = await ReadJsonObjectWithRawAsync(request, cancellationToken);
        return (body, error);
    }

    private static async Task<(JsonObject? Body, string Raw, IResult? Error)> ReadJsonObjectWithRawAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request))
        {
            return (null, string.Empty, Json(new JsonObject { ["detail"] = $"Unsupported media type \"{request.ContentType}\" in request." }.ToJsonString(), StatusCodes.Status415UnsupportedMediaType));
        }

        if (await ReadBoundedAsync(request, MaxBodyBytes, cancellationToken) is not { } bytes)
        {
            return (null, string.Empty, TooLarge());
        }

        try
        {
            var raw = Encoding.UTF8.GetString(bytes);
            return JsonNode.Parse(raw, documentOptions: new JsonDocumentOptions { MaxDepth = 32 }) is JsonObject body
                ? (body, raw, null)
                : (null, raw, Json(new JsonObject { ["errors"] = new JsonObject { ["non_field_errors"] = new JsonArray("Invalid data. Expected a dictionary.") } }.ToJsonString(), StatusCodes.Status400BadRequest));
        }
        catch (JsonException)
        {
            return (null, string.Empty, Json(new JsonObject { ["detail"] = "JSON parse error." }.ToJsonString(), StatusCodes.Status400BadRequest));
        }
    }

    private static IResult BadRequest(TwistoSandboxChecks c) =>
        Json(new JsonObject { ["errors"] = c.Errors.DeepClone() }.ToJsonString(), StatusCodes.Status400BadRequest);

    private static IResult Errors(string field, string message)
    {
        var c = new TwistoSandboxChecks();
        c.Add(field, message);
        return BadRequest(c);
    }

    /// <summary>The stored answer to replay for an Idempotency-Key already used with this body, a 409 for another body, or null (a new request).</summary>
    private static IResult? Replayed(TwistoSandboxState state, string scope, string? key, string body) =>
        state.Replay(scope, key, body, out var conflict) is { } stored ? Json(stored.Answer, stored.Status)
        : conflict ? Conflict()
        : null;

    /// <summary>The checkout <paramref name="checkoutId"/> names, if any; "Checkout not found." on <paramref name="field"/> when it names none.</summary>
    private static TwistoSandboxObject? FindCheckout(TwistoSandboxChecks c, TwistoSandboxState state, string? checkoutId, string field)
    {
        var checkout = checkoutId is null ? null : state.FindCheckout(checkoutId);
        if (checkoutId is not null && checkout is null)
        {
            c.Add(field, "Checkout not found.");
        }

        return checkout;
    }

    private static IResult Conflict() =>
        Json(new JsonObject { ["errors"] = new JsonObject { ["idempotency_key"] = new JsonArray("This Idempotency-Key was used with another request.") } }.ToJsonString(), StatusCodes.Status409Conflict);

    private static IResult TooLarge() => Json(new JsonObject { ["detail"] = "Request body too large." }.ToJsonString(), StatusCodes.Status413PayloadTooLarge);

    private static IResult NotFound() => Json("""{"detail":"Not found."}""", StatusCodes.Status404NotFound);

    [GeneratedRegex(@"^-?\d{0,8}(?:\.\d{0,2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex TwistoDecimal();

    [GeneratedRegex(@"^[A-Z]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex CurrencyCode();
}
