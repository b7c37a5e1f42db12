namespace Payments.Sandbox.Twisto;

/// <summary>Universal API v2: orders (create, retrieve) and their activate, cancel and refund actions.</summary>
public static partial class TwistoSandbox
{
    private static async Task<IResult> CreateOrderAsync(HttpContext http, string prefix, TwistoSandboxState state, CancellationToken cancellationToken)
    {
        var (body, _, refused) = await ReadApiCallAsync(http.Request, "Token", cancellationToken);
        if (body is null)
        {
            return refused!;
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
}
