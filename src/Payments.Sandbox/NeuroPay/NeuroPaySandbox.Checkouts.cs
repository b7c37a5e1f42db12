namespace Payments.Sandbox.NeuroPay;

/// <summary>Checkouts: create (and its body rules), retrieve, capture, refund, update and delete.</summary>
public static partial class NeuroPaySandbox
{
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
}
