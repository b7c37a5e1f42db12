using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Payments.Core.Charges;
using Payments.Core.Money;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Providers.Next;

/// <summary>
/// Our order ↔ NEXT's order: the limits NEXT and TWINT put on an order, the create body, and the check that an
/// order NEXT hands back is the one we created. Pure functions; the HTTP side is <see cref="NextClient"/>.
/// </summary>
/// <remarks>
/// How our items become NEXT lines (NEXT orders are made of catalogue products, not free text):
/// <list type="bullet">
/// <item>a <c>goods</c> item's <c>sku</c> is the NEXT product id of the variant (digits), its unit price is sent as
/// the line's custom <c>price</c>;</item>
/// <item><c>shipment</c> items add up to <c>shipping_price</c> (sent always, "0.00" without any, because NEXT
/// otherwise charges its cheapest shipping method's price); <c>providerOptions.shippingCode</c> picks the method;</item>
/// <item><c>discount</c>, <c>round</c> and <c>payment</c> items have no NEXT line and are refused.</item>
/// </list>
/// Taxes: NEXT computes them from the store's settings. The amount we confirm against is the order total
/// <c>total_incl_tax</c>, so a store whose prices exclude tax would disagree with our amount and every payment
/// would be refused at confirmation: TWINT-by-API stores must use tax-inclusive prices (or no tax).
/// </remarks>
public static partial class NextOrderMapping
{
    public const string PaymentMethod = "twint";

    /// <summary>TWINT is a Swiss scheme and settles in Swiss francs only.</summary>
    public const string TwintCurrency = "CHF";

    /// <summary>providerOptions keys read for NEXT orders.</summary>
    public const string PaymentGatewayOption = "paymentGateway";
    public const string PaymentGatewayGroupOption = "paymentGatewayGroup";
    public const string ShippingCodeOption = "shippingCode";

    /// <summary>NEXT decimals match <c>^-?\d{0,10}(?:\.\d{0,2})?$</c>: at most 10 whole digits.</summary>
    public const long MaxMinorAmount = 999_999_999_999;

    /// <summary>The limits of NEXT and TWINT on a valid order, as 422 issues naming the provider.</summary>
    public static IEnumerable<ValidationIssue> Validate(OrderDraft draft)
    {
        static ValidationIssue Issue(string field, string message) => new(field, $"next: {message}", IssueKind.Unprocessable);

        if (draft.Amount.Currency.Code != TwintCurrency)
        {
            yield return Issue("currency", $"TWINT accepts {TwintCurrency} only");
        }

        if (draft.Amount.Minor > MaxMinorAmount)
        {
            yield return Issue("amount", "must be below 10000000000.00");
        }

        if (!draft.Items.Any(i => i.Type == ItemType.Goods))
        {
            yield return Issue("items", "at least one goods item is required: NEXT orders are made of catalogue products (the sku names the NEXT product id)");
        }

        foreach (var issue in ValidateLines(draft.Items))
        {
            yield return issue;
        }

        foreach (var key in new[] { PaymentGatewayOption, PaymentGatewayGroupOption })
        {
            if (draft.ProviderOptions.TryGetValue(key, out var id) && !TryPositiveInt(id, out _))
            {
                yield return Issue($"providerOptions.{key}", "must be a NEXT id (a positive whole number)");
            }
        }

        if (draft.ProviderOptions.TryGetValue(ShippingCodeOption, out var code) && !ShippingCode().IsMatch(code))
        {
            yield return Issue($"providerOptions.{ShippingCodeOption}", "must be a NEXT shipping method code: 1-128 letters, digits, '-' or '_'");
        }

        if (draft.Customer?.Address is { } a
            && (IsBlank(draft.Customer.FirstName) || IsBlank(draft.Customer.LastName) || IsBlank(a.Line1) || IsBlank(a.City) || IsBlank(a.Country)))
        {
            yield return Issue("customer.address", "a shipping address needs the customer's firstName and lastName, line1, city and country");
        }
    }

    /// <summary>Every item must become a NEXT line: goods with the NEXT product id as sku, or (on orders) shipment.</summary>
    public static IEnumerable<ValidationIssue> ValidateLines(IReadOnlyList<OrderItem> items, bool allowShipment = true)
    {
        static ValidationIssue Issue(string field, string message) => new(field, $"next: {message}", IssueKind.Unprocessable);

        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            switch (item.Type)
            {
                case ItemType.Goods when !TryProductId(item.Sku, out _):
                    yield return Issue($"items[{i}].sku", "must be the NEXT product id of the variant (digits only)");
                    break;
                case ItemType.Shipment when !allowShipment:
                    yield return Issue($"items[{i}].type", "add-line-items takes goods only (no shipment line)");
                    break;
                case ItemType.Discount or ItemType.Round or ItemType.Payment:
                    yield return Issue($"items[{i}].type", "NEXT orders take goods and shipment items only (no discount, round or payment lines)");
                    break;
            }
        }
    }

    /// <summary>
    /// NEXT's limits on a follow-up charge. Upsells: the NEXT order number must be known, and every item a goods item with
    /// a product id (add-line-items takes lines only). Recurring: NEXT renews a subscription (POST /subscriptions/{id}/renew/),
    /// which charges the subscription's own lines at their price, so the order must have been created with a subscription,
    /// the charge names no items, and its amount is the order's amount.
    /// </summary>
    public static IEnumerable<ValidationIssue> ValidateCharge(Order order, ChargeDraft draft)
    {
        static ValidationIssue Issue(string field, string message) => new(field, $"next: {message}", IssueKind.Unprocessable);

        if (draft.Kind == ChargeKind.Upsell)
        {
            if (order.ProviderReference is null)
            {
                yield return Issue("order", "NEXT has not confirmed an order number for this payment yet, so there is nothing to add lines to");
            }

            foreach (var issue in ValidateLines(draft.Items, allowShipment: false))
            {
                yield return issue;
            }

            if (draft.AmountMinor > MaxMinorAmount)
            {
                yield return Issue("items", "must add up to less than 10000000000.00");
            }

            yield break;
        }

        if (order.Subscription is null)
        {
            yield return Issue("order", "was not created with a subscription; NEXT charges again only by renewing a subscription");
        }

        if (draft.Items.Count > 0)
        {
            yield return Issue("items", "must be left out: a NEXT renewal charges the subscription's own lines");
        }

        if (draft.AmountMinor != order.Amount.Minor)
        {
            yield return Issue("amount", $"must be {order.Amount.ToDecimalString()}: a NEXT renewal charges the subscription's total, the order's amount");
        }
    }

    /// <summary>The <c>ordersCreate</c> body for a TWINT payment of <paramref name="order"/>.</summary>
    public static NextCreateOrderRequest ToCreateRequest(Order order, Uri returnUrl, NextOptions options)
    {
        var exponent = order.Amount.Currency.Exponent;
        var shipping = order.Items.Where(i => i.Type == ItemType.Shipment).Sum(i => i.UnitPriceMinor * i.Quantity);
        var address = ToAddress(order.Customer);
        return new NextCreateOrderRequest
        {
            Lines = ToLines(order.Items, exponent, order.Subscription, isUpsell: false),
            Currency = order.Amount.Currency.Code,
            User = order.Customer is { } c && (c.Email ?? c.FirstName ?? c.LastName) is not null
                ? new NextUserRequest { Email = c.Email, FirstName = c.FirstName, LastName = c.LastName }
                : null,
            ShippingAddress = address,
            BillingSameAsShippingAddress = address is null ? null : true,
            ShippingCode = order.ProviderOptions.GetValueOrDefault(ShippingCodeOption),
            ShippingPrice = Money.FormatMinor(shipping, exponent),
            PaymentMethod = PaymentMethod,
            PaymentDetails = new NextPaymentDetails
            {
                PaymentReturnUrl = returnUrl.AbsoluteUri,
                PaymentGateway = Option(order, PaymentGatewayOption) ?? options.PaymentGateway,
                PaymentGatewayGroup = Option(order, PaymentGatewayGroupOption) ?? options.PaymentGatewayGroup,
            },
            Metadata = new Dictionary<string, string> { [options.OrderIdMetadataKey] = order.Id },
        };
    }

    /// <summary>NEXT lines for our goods items (for the order, or for an upsell with <paramref name="isUpsell"/>).</summary>
    public static IReadOnlyList<NextOrderLineRequest> ToLines(IEnumerable<OrderItem> items, int exponent, Subscription? subscription, bool isUpsell) =>
        items.Where(i => i.Type == ItemType.Goods)
            .Select(i => new NextOrderLineRequest
            {
                ProductId = TryProductId(i.Sku, out var id) ? id : throw new ArgumentException($"Item '{i.Name}' has no NEXT product id; validate the order first.", nameof(items)),
                Quantity = i.Quantity,
                Price = Money.FormatMinor(i.UnitPriceMinor, exponent),
                IsUpsell = isUpsell ? true : null,

                // NEXT subscriptions are per line: the order's subscription applies to each of its products.
                Subscription = subscription is null ? null : new NextLineSubscription(subscription.Interval, subscription.IntervalCount),
            })
            .ToList();

    /// <summary>
    /// Why <paramref name="next"/> is not the NEXT order created for <paramref name="ours"/>, or null when it is:
    /// our order id in its metadata, and the same currency and total. A return or notification naming another
    /// order (a forged number, another shopper's order) must not settle ours.
    /// </summary>
    /// <remarks>
    /// Upsells (add-line-items) grow NEXT's total: the expected total is our amount plus the upsells that succeeded, or,
    /// while upsells are in doubt (processing, unknown), anything up to that plus the doubtful ones.
    /// </remarks>
    public static string? WhyNotOurs(NextOrder next, Order ours, string metadataKey)
    {
        if (next.Metadata is null || !next.Metadata.TryGetValue(metadataKey, out var id)
            || !JsonText.TryGetString(id, out var named) || !string.Equals(named, ours.Id, StringComparison.Ordinal))
        {
            return $"its metadata '{metadataKey}' does not name this order";
        }

        if (!string.Equals(next.Currency, ours.Amount.Currency.Code, StringComparison.Ordinal))
        {
            return $"its currency {next.Currency ?? "(none)"} is not {ours.Amount.Currency.Code}";
        }

        var upsells = ours.Charges.Where(c => c.Kind == ChargeKind.Upsell).ToList();
        var expected = ours.Amount.Minor + upsells.Where(c => c.Status == ChargeStatus.Succeeded).Sum(c => c.AmountMinor);
        var doubtful = upsells.Where(c => c.Status is ChargeStatus.Processing or ChargeStatus.Unknown).Sum(c => c.AmountMinor);
        if (!TryParseAmount(next.TotalInclTax, ours.Amount.Currency, out var total) || total < expected || total > expected + doubtful)
        {
            return $"its total_incl_tax {next.TotalInclTax ?? "(none)"} is not {Money.FormatMinor(expected, ours.Amount.Currency.Exponent)}"
                + (doubtful > 0 ? $" (plus up to {Money.FormatMinor(doubtful, ours.Amount.Currency.Exponent)} of upsells in doubt)" : string.Empty);
        }

        return null;
    }

    /// <summary>A NEXT decimal string ("49.90", "49.9", "49") in minor units of <paramref name="currency"/>.</summary>
    public static bool TryParseAmount(string? text, Currency currency, out long minor) =>
        Money.TryParseMinor(text, currency.Exponent, allowNegative: false, out minor, out _);

    /// <summary>NEXT order numbers are short strings of digits (letters, '-' and '_' tolerated); anything else is not one.</summary>
    public static bool IsOrderNumber(string? text) => text is not null && OrderNumber().IsMatch(text);

    private static NextAddress? ToAddress(Customer? customer) => customer?.Address is not { } a
        ? null
        : new NextAddress
        {
            FirstName = customer.FirstName,
            LastName = customer.LastName,
            Line1 = a.Line1,
            Line2 = a.Line2,
            Line4 = a.City,
            Postcode = a.PostalCode,
            State = a.State,
            Country = a.Country,
            PhoneNumber = customer.Phone,
        };

    /// <summary>The order's <c>providerOptions.paymentGateway</c>, when it is a NEXT id.</summary>
    public static int? GatewayOption(Order order) => Option(order, PaymentGatewayOption);

    private static int? Option(Order order, string key) =>
        order.ProviderOptions.TryGetValue(key, out var text) && TryPositiveInt(text, out var id) ? id : null;

    private static bool TryProductId(string? sku, out long id)
    {
        id = 0;
        return sku is { Length: > 0 and <= 18 } && sku[0] != '0' && sku.All(char.IsAsciiDigit)
            && long.TryParse(sku, NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }

    private static bool TryPositiveInt(string text, out int id) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    private static bool IsBlank(string? text) => string.IsNullOrWhiteSpace(text);

    [GeneratedRegex(@"^[-a-zA-Z0-9_]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex ShippingCode();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex OrderNumber();
}
