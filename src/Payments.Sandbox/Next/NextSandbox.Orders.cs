using Payments.Core.Money;

namespace Payments.Sandbox.Next;

/// <summary>Orders: create (with its TWINT redirect), retrieve, add line items, refund and cancel; and the lines they carry.</summary>
public static partial class NextSandbox
{
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

    private static async Task<IResult> RefundAsync(HttpContext http, string number, [FromServices] NextSandboxState state, CancellationToken cancellationToken)
    {
        var (order, body, refused) = await ReadOrderCallAsync(http, number, state, cancellationToken);
        if (order is null || body is null)
        {
            return refused!;
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
        var (order, body, refused) = await ReadOrderCallAsync(http, number, state, cancellationToken);
        if (order is null || body is null)
        {
            return refused!;
        }

        if (body["cancel_reason"] is not { } r || r.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(r.GetValue<string>()))
        {
            return Json(new JsonObject { ["cancel_reason"] = new JsonArray("This field is required.") }, StatusCodes.Status400BadRequest);
        }

        return order.Cancel(r.GetValue<string>(), state) is { } error
            ? Json(error, StatusCodes.Status400BadRequest)
            : Json(order.ToJson(), StatusCodes.Status200OK);
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

    private static string CheckoutPath(PathString createPath, string session)
    {
        // createPath is {prefix}/api/admin/orders/ (with or without the trailing slash).
        var path = createPath.Value!.TrimEnd('/');
        var prefix = path[..^"/api/admin/orders".Length];
        return $"{prefix}/checkout/{session}/";
    }
}
