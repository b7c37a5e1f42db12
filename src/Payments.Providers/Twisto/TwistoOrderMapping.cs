using System.Globalization;
using System.Text.RegularExpressions;
using Payments.Core.Money;
using Payments.Core.Orders;
using Payments.Core.Validation;

namespace Payments.Providers.Twisto;

/// <summary>
/// Our order ↔ Twisto's checkout (v4) and order (v2): Twisto's limits on an order, the create bodies, and the
/// check that a checkout or order Twisto hands back is the one we created. Pure functions; the HTTP side is
/// <see cref="TwistoClient"/>.
/// </summary>
/// <remarks>
/// Choices where Twisto's docs leave room, all made here:
/// <list type="bullet">
/// <item>Our order id ("ord_" + 32 hex digits = 36 characters) is v4 <c>order.reference</c> (≤ 200, "unique payment
/// reference in your store, used in settlement") and v2 <c>order_external_id</c> (≤ 36: it fits exactly). It is
/// unique per payment (a storefront may reuse its merchantReference for a second attempt) and lets us check that a
/// checkout is ours.</item>
/// <item>Item amounts are unit prices, with <c>quantity</c> beside them (v2 says "Price of a (single?) item").
/// Discounts keep their minus sign (the pattern allows it) so that the items add up to the order amount.</item>
/// <item>Our item types become v4 types: goods → <c>sku</c>, shipment → <c>shipping</c>, discount →
/// <c>discount</c>, payment (a payment fee) → <c>sku</c>, round → <c>discount</c> when negative, else <c>sku</c>
/// (v4 has no payment or rounding type). v2 has our five words.</item>
/// <item>The product (Twisto Pay or Pay in 3) comes from <c>providerOptions.type</c> (v4 words
/// <c>standard</c> | <c>pay-in-three</c>) or <c>providerOptions.service</c> (v2 words <c>twisto-pay</c> |
/// <c>pay-in-three</c>); either key and either vocabulary work with either API version.</item>
/// <item>v2 <c>customer_data</c> has street name and number apart: a last token of <c>line1</c> that starts with a
/// digit ("Újezd 450/40") is the number; <c>line2</c> is the apartment number.</item>
/// <item>An e-mail address is required for both versions (v4 requires <c>shopper.email</c>; v2 documents no
/// required customer field, but Twisto scores the shopper by it).</item>
/// </list>
/// </remarks>
public static partial class TwistoOrderMapping
{
    /// <summary>providerOptions keys read for Twisto orders.</summary>
    public const string TypeOption = "type";
    public const string ServiceOption = "service";
    public const string PaymentIdentifierOption = "paymentIdentifier";
    public const string PersonalIdOption = "personalId";
    public const string BirthDateOption = "birthDate";

    /// <summary>v4 checkout types and v2 services.</summary>
    public const string Standard = "standard";
    public const string TwistoPay = "twisto-pay";
    public const string PayInThree = "pay-in-three";

    public const int MaxTextLength = 255;
    public const int MaxReferenceLength = 200;
    public const int MaxShopperNameLength = 40;
    public const int MaxPhoneLength = 20;
    public const int MaxPersonalIdLength = 11;
    public const int MaxRedirectUriLength = 1000;
    public const int MaxOrderExternalIdLength = 36;
    public const int MaxEshopExternalIdLength = 36;
    public const int MaxPaymentIdentifierLength = 140;
    public const int MaxChargeReferenceLength = 140;

    /// <summary>The limits of Twisto on a valid order, as 422 issues naming the provider.</summary>
    public static IEnumerable<ValidationIssue> Validate(OrderDraft draft, TwistoOptions options)
    {
        static ValidationIssue Issue(string field, string message) => new(field, $"twisto: {message}", IssueKind.Unprocessable);

        var v2 = options.ApiVersion == TwistoOptions.V2;
        var currency = draft.Amount.Currency;
        if (!options.EffectiveCurrencies().Contains(currency.Code, StringComparer.Ordinal))
        {
            yield return Issue("currency", $"this Twisto account takes {string.Join(", ", options.EffectiveCurrencies())} (Providers:Twisto:Currencies)");
        }
        else if (!Fits(draft.Amount.Minor, currency.Exponent))
        {
            yield return Issue("amount", "must be at most 99999999.99 (Twisto amounts have at most 8 digits before the point)");
        }

        for (var i = 0; i < draft.Items.Count; i++)
        {
            var item = draft.Items[i];
            if (!Fits(item.UnitPriceMinor, currency.Exponent))
            {
                yield return Issue($"items[{i}].unitPrice", "must be between -99999999.99 and 99999999.99");
            }

            var maxSku = v2 ? MaxTextLength : MaxReferenceLength;
            if (item.Sku is { } sku && sku.Length > maxSku)
            {
                yield return Issue($"items[{i}].sku", $"must be at most {maxSku} characters ({(v2 ? "product_id" : "item reference")})");
            }
        }

        if (string.IsNullOrEmpty(draft.Customer?.Email))
        {
            yield return Issue("customer.email", "is required: Twisto scores the shopper by it");
        }

        if (!v2)
        {
            // v4 shopper limits (v2 customer_data documents none).
            if (draft.Customer?.FirstName is { Length: > MaxShopperNameLength })
            {
                yield return Issue("customer.firstName", $"must be at most {MaxShopperNameLength} characters");
            }

            if (draft.Customer?.LastName is { Length: > MaxShopperNameLength })
            {
                yield return Issue("customer.lastName", $"must be at most {MaxShopperNameLength} characters");
            }
        }

        if (draft.Customer?.Phone is { Length: > MaxPhoneLength })
        {
            yield return Issue("customer.phone", $"must be at most {MaxPhoneLength} characters");
        }

        var type = draft.ProviderOptions.GetValueOrDefault(TypeOption);
        var service = draft.ProviderOptions.GetValueOrDefault(ServiceOption);
        if (type is not null && ProductOf(type) is null)
        {
            yield return Issue($"providerOptions.{TypeOption}", $"must be {Standard} or {PayInThree}");
        }

        if (service is not null && ProductOf(service) is null)
        {
            yield return Issue($"providerOptions.{ServiceOption}", $"must be {TwistoPay} or {PayInThree}");
        }

        if (ProductOf(type) is { } t && ProductOf(service) is { } sv && t != sv)
        {
            yield return Issue($"providerOptions.{ServiceOption}", $"names another product than providerOptions.{TypeOption}");
        }

        if (draft.ProviderOptions.TryGetValue(PaymentIdentifierOption, out var paymentIdentifier))
        {
            if (!v2)
            {
                yield return Issue($"providerOptions.{PaymentIdentifierOption}", "is a Twisto v2 field; this deployment uses the v4 API");
            }
            else if (paymentIdentifier.Length > MaxPaymentIdentifierLength)
            {
                yield return Issue($"providerOptions.{PaymentIdentifierOption}", $"must be at most {MaxPaymentIdentifierLength} characters");
            }
        }

        if (draft.ProviderOptions.TryGetValue(PersonalIdOption, out var personalId) && personalId.Length > MaxPersonalIdLength)
        {
            yield return Issue($"providerOptions.{PersonalIdOption}", $"must be at most {MaxPersonalIdLength} characters");
        }

        if (draft.ProviderOptions.TryGetValue(BirthDateOption, out var birthDate))
        {
            if (v2)
            {
                yield return Issue($"providerOptions.{BirthDateOption}", "is a Twisto v4 field; this deployment uses the v2 API");
            }
            else if (!DateOnly.TryParseExact(birthDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                yield return Issue($"providerOptions.{BirthDateOption}", "must be a date such as 1990-12-31");
            }
        }
    }

    /// <summary>The <c>POST /psp/v4/checkouts</c> body for <paramref name="order"/>.</summary>
    public static TwistoCheckoutRequest ToCheckoutRequest(Order order, Uri returnUrl, TwistoOptions options)
    {
        var exponent = order.Amount.Currency.Exponent;
        var customer = order.Customer;
        return new TwistoCheckoutRequest
        {
            Type = Product(order) == PayInThree ? PayInThree : Standard,
            Config = new TwistoCheckoutConfig { RedirectUri = returnUrl.AbsoluteUri },
            Shopper = new TwistoShopper
            {
                Email = customer?.Email,
                FirstName = customer?.FirstName,
                LastName = customer?.LastName,
                Phone = customer?.Phone,
                BirthDate = order.ProviderOptions.GetValueOrDefault(BirthDateOption),
                PersonalId = order.ProviderOptions.GetValueOrDefault(PersonalIdOption),
                BillingAddress = customer?.Address is { } a
                    ? new TwistoBillingAddress { Line1 = a.Line1, Line2 = a.Line2, City = a.City, State = a.State, PostalCode = a.PostalCode, Country = a.Country }
                    : null,
            },
            Order = new TwistoCheckoutOrder
            {
                Reference = order.Id,
                Amount = Format(order.Amount.Minor, exponent),
                Currency = order.Amount.Currency.Code,
                Items = order.Items.Count == 0
                    ? null
                    : order.Items.Select(i => new TwistoCheckoutItem
                    {
                        Name = i.Name,
                        Amount = Format(i.UnitPriceMinor, exponent),
                        Quantity = i.Quantity,
                        Reference = i.Sku,
                        Type = CheckoutItemType(i),
                    }).ToList(),
            },
            MerchantReference = options.MerchantReference,
        };
    }

    /// <summary>The <c>POST /psp/v2/order/</c> body for <paramref name="order"/>.</summary>
    public static TwistoOrderRequest ToOrderRequest(Order order, Uri returnUrl, TwistoOptions options)
    {
        if (order.Id.Length > MaxOrderExternalIdLength)
        {
            throw new ArgumentException($"Order id '{order.Id}' is longer than Twisto's {MaxOrderExternalIdLength}-character order_external_id.", nameof(order));
        }

        var exponent = order.Amount.Currency.Exponent;
        var customer = order.Customer;
        var (streetName, streetNumber) = SplitStreet(customer?.Address?.Line1);
        return new TwistoOrderRequest
        {
            Service = Product(order) == PayInThree ? PayInThree : TwistoPay,
            OrderExternalId = order.Id,
            PaymentIdentifier = order.ProviderOptions.GetValueOrDefault(PaymentIdentifierOption),
            ReturnUrl = returnUrl.AbsoluteUri,
            OrderData = new TwistoOrderData { EshopExternalId = options.MerchantReference, Amount = Format(order.Amount.Minor, exponent) },

            // The shopper's earlier transactions at the shop: we hold none, and the field is optional.
            TransactionHistory = null,
            CustomerData = new TwistoCustomerData
            {
                Email = customer?.Email,
                FirstName = customer?.FirstName,
                LastName = customer?.LastName,
                PhoneNumber = customer?.Phone,
                StreetName = streetName,
                StreetNumber = streetNumber,
                ApartmentNumber = customer?.Address?.Line2,
                City = customer?.Address?.City,
                Zipcode = customer?.Address?.PostalCode,
                Country = customer?.Address?.Country,
                PersonalId = order.ProviderOptions.GetValueOrDefault(PersonalIdOption),
            },
            Items = order.Items.Count == 0
                ? null
                : order.Items.Select(i => new TwistoOrderItem
                {
                    Name = i.Name,
                    ProductId = i.Sku,
                    Quantity = i.Quantity,
                    Amount = Format(i.UnitPriceMinor, exponent),
                    Vat = i.VatRate,
                    Type = OrderItemType(i.Type),
                }).ToList(),
        };
    }

    /// <summary>
    /// Why <paramref name="checkout"/> is not the checkout created for <paramref name="ours"/>, or null when it is:
    /// our order id as <c>order.reference</c>, and the same currency and amount. A return or notification naming
    /// another checkout must not settle ours.
    /// </summary>
    public static string? WhyNotOurs(TwistoCheckout checkout, Order ours)
    {
        if (!string.Equals(checkout.Order?.Reference, ours.Id, StringComparison.Ordinal))
        {
            return "its order.reference does not name this order";
        }

        if (!string.Equals(checkout.Order?.Currency, ours.Amount.Currency.Code, StringComparison.Ordinal))
        {
            return $"its currency {checkout.Order?.Currency ?? "(none)"} is not {ours.Amount.Currency.Code}";
        }

        if (!TryParseAmount(checkout.Order?.Amount, ours.Amount.Currency, out var amount) || amount != ours.Amount.Minor)
        {
            return $"its amount {checkout.Order?.Amount ?? "(none)"} is not {ours.Amount.ToDecimalString()}";
        }

        return null;
    }

    /// <summary>The v2 counterpart: our order id as <c>external_id</c> and the same <c>initial_amount</c> (v2 has no currency).</summary>
    public static string? WhyNotOurs(TwistoOrder twisto, Order ours)
    {
        if (!string.Equals(twisto.ExternalId, ours.Id, StringComparison.Ordinal))
        {
            return "its external_id does not name this order";
        }

        if (!TryParseAmount(twisto.InitialAmount, ours.Amount.Currency, out var amount) || amount != ours.Amount.Minor)
        {
            return $"its initial_amount {twisto.InitialAmount ?? "(none)"} is not {ours.Amount.ToDecimalString()}";
        }

        return null;
    }

    /// <summary>Minor units as a Twisto decimal string: "49.90".</summary>
    public static string Format(long minor, int exponent) => Money.FormatMinor(minor, exponent);

    /// <summary>Whether <paramref name="minor"/> fits Twisto's decimal pattern <c>^-?\d{0,8}(?:\.\d{0,2})?$</c>.</summary>
    public static bool Fits(long minor, int exponent) => exponent <= 2 && TwistoDecimal().IsMatch(Format(minor, exponent));

    /// <summary>A Twisto decimal string ("49.90", "49.9", "49") in minor units; false for anything else.</summary>
    public static bool TryParseAmount(string? text, Currency currency, out long minor) =>
        Money.TryParseMinor(text, currency.Exponent, allowNegative: false, out minor, out _);

    /// <summary>Twisto Pay or Pay in 3, from providerOptions (v4 or v2 words, under either key).</summary>
    public static string Product(Order order) =>
        ProductOf(order.ProviderOptions.GetValueOrDefault(TypeOption)) ?? ProductOf(order.ProviderOptions.GetValueOrDefault(ServiceOption)) ?? Standard;

    /// <summary><c>standard</c> or <c>pay-in-three</c> for a v4 or v2 product word; null for anything else.</summary>
    public static string? ProductOf(string? word) => word switch
    {
        Standard or TwistoPay => Standard,
        PayInThree => PayInThree,
        _ => null,
    };

    /// <summary>"Újezd 450/40" → ("Újezd", "450/40"); a line without a trailing number stays the street name.</summary>
    public static (string? Name, string? Number) SplitStreet(string? line1)
    {
        if (line1 is null)
        {
            return (null, null);
        }

        var match = StreetAndNumber().Match(line1.Trim());
        return match.Success ? (match.Groups["name"].Value, match.Groups["number"].Value) : (line1, null);
    }

    private static string CheckoutItemType(OrderItem item) => item.Type switch
    {
        ItemType.Shipment => "shipping",
        ItemType.Discount => "discount",
        ItemType.Round when item.UnitPriceMinor < 0 => "discount",
        _ => "sku",
    };

    private static string OrderItemType(ItemType type) => type switch
    {
        ItemType.Shipment => "shipment",
        ItemType.Payment => "payment",
        ItemType.Discount => "discount",
        ItemType.Round => "round",
        _ => "goods",
    };

    [GeneratedRegex(@"^-?\d{0,8}(?:\.\d{0,2})?$", RegexOptions.CultureInvariant)]
    public static partial Regex TwistoDecimal();

    [GeneratedRegex(@"^(?<name>.*\S)\s+(?<number>\d[\w/-]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex StreetAndNumber();
}
