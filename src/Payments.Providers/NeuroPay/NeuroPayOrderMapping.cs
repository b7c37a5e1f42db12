using Payments.Core.Charges;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Providers.NeuroPay;

/// <summary>
/// Our order ↔ a Neuro-Pay checkout: the providerOptions Neuro-Pay takes, the create body, the refund reason, and
/// the check that a checkout Neuro-Pay hands back is the one we created. Pure functions; the HTTP side is
/// <see cref="NeuroPayClient"/>, the response fields are read only by <see cref="NeuroPayResponses"/>.
/// </summary>
public static class NeuroPayOrderMapping
{
    /// <summary>providerOptions keys read for Neuro-Pay orders. Any other key is refused (a typo would otherwise be silently ignored).</summary>
    public const string CaptureOption = "capture";
    public const string AllowSaveCardOption = "allowSaveCard";
    public const string CustomerIdOption = "customerId";
    public const string CardIdOption = "cardId";
    public const string TemplateOption = "template";
    public const string MessageOption = "message";

    public static readonly IReadOnlySet<string> Options = new HashSet<string>(StringComparer.Ordinal)
    {
        CaptureOption, AllowSaveCardOption, CustomerIdOption, CardIdOption, TemplateOption, MessageOption,
    };

    /// <summary>The only template the docs name: no background image, for embedding the checkout in an iframe.</summary>
    public const string IframeTemplate = "iframe";

    /// <summary>Undocumented limit; kept short enough for any checkout page.</summary>
    public const int MaxMessageLength = 255;

    /// <summary>The amount is documented as an "int".</summary>
    public const long MaxAmountMinor = int.MaxValue;

    /// <summary>metaData keys we write on every checkout, to recognise it as ours when it comes back.</summary>
    public const string OrderIdKey = "payments_order_id";
    public const string MerchantReferenceKey = "merchant_reference";

    /// <summary>Neuro-Pay's spelling of <see cref="RefundReasons.Fraudulent"/>, as its docs list the admitted values.</summary>
    public const string NeuroPayFraudulent = "fraudolent";

    /// <summary>The limits Neuro-Pay puts on an order, as 422 issues naming the provider.</summary>
    public static IEnumerable<ValidationIssue> Validate(OrderDraft draft)
    {
        static ValidationIssue Issue(string field, string message) => new(field, $"neuropay: {message}", IssueKind.Unprocessable);

        if (draft.Amount.Minor is < 1 or > MaxAmountMinor)
        {
            yield return Issue("amount", $"must be between 1 and {MaxAmountMinor} minor units (Neuro-Pay takes the amount as an int)");
        }

        var options = draft.ProviderOptions;
        foreach (var key in options.Keys.Where(k => !Options.Contains(k)).Order(StringComparer.Ordinal))
        {
            yield return Issue($"providerOptions.{key}", $"is not a Neuro-Pay option (known: {string.Join(", ", Options.Order(StringComparer.Ordinal))})");
        }

        foreach (var key in new[] { CaptureOption, AllowSaveCardOption })
        {
            if (options.TryGetValue(key, out var text) && !bool.TryParse(text, out _))
            {
                yield return Issue($"providerOptions.{key}", "must be true or false");
            }
        }

        foreach (var key in new[] { CustomerIdOption, CardIdOption })
        {
            if (options.TryGetValue(key, out var id) && !NeuroPayIds.IsValid(id))
            {
                yield return Issue($"providerOptions.{key}", $"must be a Neuro-Pay id: 1-{NeuroPayIds.MaxLength} letters, digits, '-' or '_'");
            }
        }

        if (options.ContainsKey(CardIdOption) && !options.ContainsKey(CustomerIdOption))
        {
            yield return Issue($"providerOptions.{CardIdOption}", "needs providerOptions.customerId: a saved card is paid with as its customer's");
        }

        if (options.TryGetValue(TemplateOption, out var template) && template != IframeTemplate)
        {
            yield return Issue($"providerOptions.{TemplateOption}", $"must be \"{IframeTemplate}\", the only template Neuro-Pay offers");
        }

        if (options.TryGetValue(MessageOption, out var message)
            && (string.IsNullOrWhiteSpace(message) || message.Length > MaxMessageLength || message.Any(char.IsControl)))
        {
            yield return Issue($"providerOptions.{MessageOption}", $"must be 1-{MaxMessageLength} characters without control characters");
        }

        if (draft.Subscription is not null)
        {
            if (!options.ContainsKey(CustomerIdOption))
            {
                yield return Issue($"providerOptions.{CustomerIdOption}",
                    "is required for a subscription: Neuro-Pay has no subscriptions, the recurring charges pay with the card saved to this customer");
            }

            if (options.TryGetValue(AllowSaveCardOption, out var allow) && bool.TryParse(allow, out var allowed) && !allowed)
            {
                yield return Issue($"providerOptions.{AllowSaveCardOption}", "must not be false for a subscription: the card has to be saved for the recurring charges");
            }
        }
    }

    /// <summary>The <c>create</c> body for <paramref name="order"/>.</summary>
    public static NeuroPayCreateCheckoutRequest ToCreateRequest(Order order, Uri returnUrl, Uri cancelUrl) => new()
    {
        Identifier = order.Id,
        Amount = order.Amount.Minor,
        Currency = order.Amount.Currency.Code,
        Message = Message(order),
        Capture = Bool(order, CaptureOption) ?? true,
        AllowSaveCard = Bool(order, AllowSaveCardOption),
        ReturnUrl = returnUrl.AbsoluteUri,
        ReturnUrlCancel = cancelUrl.AbsoluteUri,
        CustomerId = order.ProviderOptions.GetValueOrDefault(CustomerIdOption),
        CardId = order.ProviderOptions.GetValueOrDefault(CardIdOption),
        Template = order.ProviderOptions.GetValueOrDefault(TemplateOption),
        MetaData = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [OrderIdKey] = order.Id,
            [MerchantReferenceKey] = order.MerchantReference,
        },
    };

    /// <summary>metaData key naming the charge a recurring checkout pays.</summary>
    public const string ChargeIdKey = "payments_charge_id";

    /// <summary>
    /// Neuro-Pay's limits on a recurring charge: it has no subscriptions, a recurring charge is a new checkout paid at once
    /// with a card saved to the order's customer, so the order needs <c>providerOptions.customerId</c>. Items are kept on
    /// our record only (a checkout has no lines). Upsells are not offered.
    /// </summary>
    public static IEnumerable<ValidationIssue> ValidateCharge(Order order, ChargeDraft draft)
    {
        static ValidationIssue Issue(string field, string message) => new(field, $"neuropay: {message}", IssueKind.Unprocessable);

        if (draft.Kind != ChargeKind.Recurring)
        {
            yield break;
        }

        if (!order.ProviderOptions.ContainsKey(CustomerIdOption))
        {
            yield return Issue("order", $"has no providerOptions.{CustomerIdOption}: a recurring charge pays with a card saved to the order's customer");
        }

        if (draft.AmountMinor > MaxAmountMinor)
        {
            yield return Issue("amount", $"must be at most {MaxAmountMinor} minor units");
        }
    }

    /// <summary>
    /// The <c>create</c> body of a recurring charge: an automatic payment (customer_id + card_id, captured at once) of the
    /// charge's amount, identified by the charge id. The return URLs are required by the API but never visited (there is
    /// no shopper): the storefront's own pages.
    /// </summary>
    public static NeuroPayCreateCheckoutRequest ToRecurringRequest(Order order, ChargeRecord charge, string customerId, string cardId)
    {
        var message = $"{Message(order)} (recurring)";
        return new NeuroPayCreateCheckoutRequest
        {
            Identifier = charge.ChargeId,
            Amount = charge.AmountMinor,
            Currency = order.Amount.Currency.Code,
            Message = message.Length <= MaxMessageLength ? message : message[..MaxMessageLength],
            Capture = true,
            ReturnUrl = order.SuccessUrl,
            ReturnUrlCancel = order.FailureUrl,
            CustomerId = customerId,
            CardId = cardId,
            MetaData = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [OrderIdKey] = order.Id,
                [MerchantReferenceKey] = order.MerchantReference,
                [ChargeIdKey] = charge.ChargeId,
            },
        };
    }

    /// <summary>Whether the order pays with a saved card at once (customer_id + card_id), without a shopper page.</summary>
    public static bool IsAutomaticPayment(Order order) =>
        order.ProviderOptions.ContainsKey(CardIdOption) && order.ProviderOptions.ContainsKey(CustomerIdOption);

    /// <summary>The message shown on the checkout page: the order's option, else "Order {merchantReference}".</summary>
    public static string Message(Order order)
    {
        if (order.ProviderOptions.TryGetValue(MessageOption, out var message) && !string.IsNullOrWhiteSpace(message))
        {
            return message;
        }

        var text = $"Order {order.MerchantReference}";
        return text.Length <= MaxMessageLength ? text : text[..MaxMessageLength];
    }

    /// <summary>Our refund reason in Neuro-Pay's words (its docs spell "fraudolent"); null for none or an unknown one.</summary>
    public static string? RefundReason(string? reason) => reason switch
    {
        RefundReasons.Duplicate => "duplicate",
        RefundReasons.RequestedByCustomer => "requested_by_customer",
        RefundReasons.Fraudulent => NeuroPayFraudulent,
        _ => null,
    };

    /// <summary>
    /// Why <paramref name="checkout"/> is not the one created for <paramref name="ours"/>, or null when it is. Each
    /// field is checked only when the (undocumented) response carries it: a checkout read by the id stored at
    /// creation is ours already. A checkout found only through an id the browser brought back
    /// (<paramref name="requireOrderId"/>) must name our order in its metaData.
    /// </summary>
    public static string? WhyNotOurs(NeuroPayCheckout checkout, Order ours, bool requireOrderId = false)
    {
        if (checkout.MetaData.TryGetValue(OrderIdKey, out var id))
        {
            if (!string.Equals(id, ours.Id, StringComparison.Ordinal))
            {
                return $"its metaData '{OrderIdKey}' names another order";
            }
        }
        else if (requireOrderId)
        {
            return $"its metaData has no '{OrderIdKey}'";
        }

        if (checkout.Currency is { } currency && !string.Equals(currency, ours.Amount.Currency.Code, StringComparison.OrdinalIgnoreCase))
        {
            return $"its currency {currency} is not {ours.Amount.Currency.Code}";
        }

        if (checkout.Amount is { } amount && amount != ours.Amount.Minor)
        {
            return $"its amount {amount} is not {ours.Amount.Minor}";
        }

        return null;
    }

    private static bool? Bool(Order order, string key) =>
        order.ProviderOptions.TryGetValue(key, out var text) && bool.TryParse(text, out var value) ? value : null;
}
