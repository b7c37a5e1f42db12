namespace Payments.Sandbox.Twisto;

/// <summary>PSP API v4: checkouts (create, retrieve, cancel), charges and refunds, each as Twisto documents it.</summary>
public static partial class TwistoSandbox
{
    private static async Task<IResult> CreateCheckoutAsync(HttpContext http, string prefix, TwistoSandboxState state, CancellationToken cancellationToken)
    {
        var (body, _, refused) = await ReadApiCallAsync(http.Request, "Bearer", cancellationToken);
        if (body is null)
        {
            return refused!;
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
        var (body, raw, refused) = await ReadApiCallAsync(http.Request, "Bearer", cancellationToken);
        if (body is null)
        {
            return refused!;
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
        var (body, raw, refused) = await ReadApiCallAsync(http.Request, "Bearer", cancellationToken);
        if (body is null)
        {
            return refused!;
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
}
