using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Payments.Core.Charges;
using Payments.Core.Money;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Core.Orders;

/// <summary>What the validator needs to know about the deployment.</summary>
public sealed record OrderRequestRules(IReadOnlySet<string> KnownProviders, IReadOnlyCollection<string> AllowedRedirectOrigins);

/// <summary>
/// Validates every field of a create request. Format errors are 400s; a well-formed request the service
/// will not act on (a redirect to a foreign origin, items that do not add up) is a 422.
/// </summary>
public static partial class OrderRequestValidator
{
    public const int MaxMerchantReferenceLength = 100;
    public const int MaxItems = 100;
    public const int MaxItemQuantity = 100_000;
    public const int MaxTextLength = 255;
    public const int MaxUrlLength = 2048;
    public const int MaxMetadataEntries = 20;
    public const int MaxMetadataKeyLength = 40;
    public const int MaxMetadataValueLength = 500;
    public const int MaxProviderOptions = 20;

    public static (OrderDraft? Draft, IReadOnlyList<ValidationIssue> Issues) Validate(CreateOrderRequest request, OrderRequestRules rules)
    {
        var issues = new List<ValidationIssue>();
        void Bad(string field, string message, IssueKind kind = IssueKind.Invalid) => issues.Add(new(field, message, kind));

        var provider = request.Provider;
        if (string.IsNullOrEmpty(provider))
        {
            Bad("provider", "is required");
        }
        else if (!rules.KnownProviders.Contains(provider))
        {
            Bad("provider", $"must be one of: {string.Join(", ", rules.KnownProviders.Order(StringComparer.Ordinal))}");
        }

        if (KeyRules.Check(request.MerchantReference, MaxMerchantReferenceLength) is { } refError)
        {
            Bad("merchantReference", refError);
        }

        Currency? currency = null;
        if (string.IsNullOrEmpty(request.Currency))
        {
            Bad("currency", "is required");
        }
        else if (!Money.Currency.TryFromCode(request.Currency, out var c))
        {
            Bad("currency", "must be an ISO 4217 currency code in upper case, such as \"CHF\"");
        }
        else
        {
            currency = c;
        }

        Money.Money amount = default;
        if (request.Amount is null)
        {
            Bad("amount", "is required");
        }
        else if (currency is not null)
        {
            if (!Money.Money.TryParse(request.Amount, currency, out amount, out var amountError))
            {
                Bad("amount", amountError);
            }
            else if (amount.Minor <= 0)
            {
                Bad("amount", "must be greater than zero");
            }
        }

        var items = ValidateItems(request.Items, currency, Bad);
        if (currency is not null && items.Count > 0 && amount.Minor > 0 && issues.Count == 0)
        {
            if (ItemsTotal(items, currency.Exponent, Bad) is { } total && total != amount.Minor)
            {
                Bad("items", $"add up to {Money.Money.FormatMinor(total, currency.Exponent)}, not the amount {amount.ToDecimalString()}", IssueKind.Unprocessable);
            }
        }

        var customer = ValidateCustomer(request.Customer, Bad);
        ValidateRedirect("successUrl", request.SuccessUrl, rules, Bad);
        ValidateRedirect("failureUrl", request.FailureUrl, rules, Bad);
        var subscription = ValidateSubscription(request.Subscription, Bad);
        var options = ValidateProviderOptions(request.ProviderOptions, Bad);
        var metadata = ValidateMetadata(request.Metadata, Bad);

        if (issues.Count > 0)
        {
            return (null, issues);
        }

        return (new OrderDraft(provider!, request.MerchantReference!, amount, items, customer, request.SuccessUrl!,
            request.FailureUrl!, subscription, options, metadata), issues);
    }

    /// <summary>How far ahead a recurring charge may be scheduled.</summary>
    public static readonly TimeSpan MaxRunAtAhead = TimeSpan.FromDays(400);

    /// <summary>A <c>runAt</c> this far in the past is still taken as "now" (clock skew); earlier is refused.</summary>
    public static readonly TimeSpan RunAtPastTolerance = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Validates a follow-up charge on an order in <paramref name="currency"/>, with the item rules of create: an upsell
    /// needs items and charges their total; a recurring charge needs an amount, and its items (optional) must add up to it.
    /// </summary>
    public static (ChargeDraft? Draft, IReadOnlyList<ValidationIssue> Issues) ValidateCharge(
        ChargeKind kind, string? amountText, IReadOnlyList<OrderItemRequest?>? itemRequests, DateTimeOffset? runAt, Currency currency, DateTimeOffset now)
    {
        var issues = new List<ValidationIssue>();
        void Bad(string field, string message, IssueKind issueKind = IssueKind.Invalid) => issues.Add(new(field, message, issueKind));

        var items = ValidateItems(itemRequests, currency, Bad);
        long amount = 0;
        if (kind == ChargeKind.Upsell)
        {
            if (itemRequests is null || itemRequests.Count == 0)
            {
                Bad("items", "is required: an upsell charges its items");
            }
            else if (issues.Count == 0 && ItemsTotal(items, currency.Exponent, Bad) is { } total)
            {
                amount = total;
                if (amount <= 0)
                {
                    Bad("items", "must add up to more than zero", IssueKind.Unprocessable);
                }
            }
        }
        else
        {
            if (amountText is null)
            {
                Bad("amount", "is required");
            }
            else if (!Money.Money.TryParseMinor(amountText, currency.Exponent, allowNegative: false, out amount, out var amountError))
            {
                Bad("amount", amountError);
            }
            else if (amount <= 0)
            {
                Bad("amount", "must be greater than zero");
            }

            if (issues.Count == 0 && items.Count > 0 && ItemsTotal(items, currency.Exponent, Bad) is { } total && total != amount)
            {
                Bad("items", $"add up to {Money.Money.FormatMinor(total, currency.Exponent)}, not the amount {Money.Money.FormatMinor(amount, currency.Exponent)}",
                    IssueKind.Unprocessable);
            }

            if (runAt is { } at)
            {
                if (at < now - RunAtPastTolerance)
                {
                    Bad("runAt", "must not be in the past");
                }
                else if (at > now + MaxRunAtAhead)
                {
                    Bad("runAt", $"must be at most {MaxRunAtAhead.TotalDays:0} days ahead");
                }
            }
        }

        if (kind == ChargeKind.Upsell && runAt is not null)
        {
            Bad("runAt", "applies to recurring charges only");
        }

        if (issues.Count > 0)
        {
            return (null, issues);
        }

        var due = runAt is { } r && r > now ? r : (DateTimeOffset?)null;
        return (new ChargeDraft(kind, amount, items, due), issues);
    }

    /// <summary>A plausible e-mail address of at most 254 characters (no control characters or spaces).</summary>
    public static bool IsEmail(string email) => email.Length <= 254 && Email().IsMatch(email);

    /// <summary>Whether <paramref name="url"/> is an absolute http(s) URL whose origin is in the allow-list.</summary>
    public static bool IsAllowedRedirect(string url, IReadOnlyCollection<string> allowedOrigins) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && allowedOrigins.Contains(Origin(uri), StringComparer.OrdinalIgnoreCase);

    /// <summary>scheme://host[:port] with the default port left out, as browsers serialise an origin.</summary>
    public static string Origin(Uri uri) => uri.IsDefaultPort
        ? $"{uri.Scheme}://{uri.IdnHost}"
        : $"{uri.Scheme}://{uri.IdnHost}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";

    private static List<OrderItem> ValidateItems(IReadOnlyList<OrderItemRequest?>? items, Currency? currency, Action<string, string, IssueKind> bad)
    {
        var result = new List<OrderItem>();
        if (items is null)
        {
            return result;
        }

        if (items.Count > MaxItems)
        {
            bad("items", $"must have at most {MaxItems} entries", IssueKind.Invalid);
            return result;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var path = $"items[{i}]";
            var item = items[i];
            if (item is null)
            {
                bad(path, "must be an object", IssueKind.Invalid);
                continue;
            }

            var ok = true;
            void ItemBad(string field, string message)
            {
                ok = false;
                bad($"{path}.{field}", message, IssueKind.Invalid);
            }

            if (CheckText(item.Name, MaxTextLength, required: true) is { } nameError)
            {
                ItemBad("name", nameError);
            }

            if (CheckText(item.Sku, MaxTextLength, required: false) is { } skuError)
            {
                ItemBad("sku", skuError);
            }

            if (item.Quantity is null)
            {
                ItemBad("quantity", "is required");
            }
            else if (item.Quantity is < 1 or > MaxItemQuantity)
            {
                ItemBad("quantity", $"must be between 1 and {MaxItemQuantity}");
            }

            var type = ItemType.Goods;
            if (item.Type is not null && !TryParseItemType(item.Type, out type))
            {
                ItemBad("type", "must be one of: goods, shipment, payment, discount, round");
            }

            long unitPrice = 0;
            if (item.UnitPrice is null)
            {
                ItemBad("unitPrice", "is required");
            }
            else if (currency is not null)
            {
                var allowNegative = type is ItemType.Discount or ItemType.Round;
                if (!Money.Money.TryParseMinor(item.UnitPrice, currency.Exponent, allowNegative, out unitPrice, out var priceError))
                {
                    ItemBad("unitPrice", allowNegative || !item.UnitPrice.StartsWith('-') ? priceError : "must not be negative except for discount and round items");
                }
            }

            if (item.VatRate is not null && !VatRate().IsMatch(item.VatRate))
            {
                ItemBad("vatRate", "must be a percentage between 0 and 99.99 with at most two decimals, such as \"8.1\"");
            }

            if (ok)
            {
                result.Add(new OrderItem(item.Name!, item.Sku, item.Quantity!.Value, unitPrice, item.VatRate, type));
            }
        }

        return result;
    }

    /// <summary>
    /// What the items add up to, or null (with an issue) when their charges, or their discounts, add up to more than
    /// <see cref="Money.Money.MaxMinor"/>. A line is at most 10^13 × 10^5 minor units, so nothing here overflows.
    /// </summary>
    private static long? ItemsTotal(List<OrderItem> items, int exponent, Action<string, string, IssueKind> bad)
    {
        long charges = 0;
        long discounts = 0;
        foreach (var item in items)
        {
            var line = item.UnitPriceMinor * item.Quantity;
            if (line >= 0)
            {
                charges += line;
            }
            else
            {
                discounts -= line;
            }

            if (charges > Money.Money.MaxMinor || discounts > Money.Money.MaxMinor)
            {
                bad("items", $"must add up to at most {Money.Money.FormatMinor(Money.Money.MaxMinor, exponent)} in charges, and in discounts", IssueKind.Invalid);
                return null;
            }
        }

        return charges - discounts;
    }

    private static bool TryParseItemType(string text, out ItemType type)
    {
        (var ok, type) = text switch
        {
            "goods" => (true, ItemType.Goods),
            "shipment" => (true, ItemType.Shipment),
            "payment" => (true, ItemType.Payment),
            "discount" => (true, ItemType.Discount),
            "round" => (true, ItemType.Round),
            _ => (false, ItemType.Goods),
        };
        return ok;
    }

    private static Customer? ValidateCustomer(CustomerRequest? c, Action<string, string, IssueKind> bad)
    {
        if (c is null)
        {
            return null;
        }

        void Text(string field, string? value, int max)
        {
            if (CheckText(value, max, required: false) is { } e)
            {
                bad($"customer.{field}", e, IssueKind.Invalid);
            }
        }

        if (c.Email is not null && !IsEmail(c.Email))
        {
            bad("customer.email", "must be an e-mail address", IssueKind.Invalid);
        }

        Text("firstName", c.FirstName, 100);
        Text("lastName", c.LastName, 100);
        if (c.Phone is not null && !Phone().IsMatch(c.Phone))
        {
            bad("customer.phone", "must be a phone number: digits, spaces, '+', '-', '(', ')', at most 20 characters", IssueKind.Invalid);
        }

        Address? address = null;
        if (c.Address is { } a)
        {
            Text("address.line1", a.Line1, MaxTextLength);
            Text("address.line2", a.Line2, MaxTextLength);
            Text("address.city", a.City, 100);
            Text("address.postalCode", a.PostalCode, 20);
            Text("address.state", a.State, 100);
            if (a.Country is not null && !CountryCode().IsMatch(a.Country))
            {
                bad("customer.address.country", "must be an ISO 3166-1 alpha-2 code in upper case, such as \"CH\"", IssueKind.Invalid);
            }

            address = new Address(a.Line1, a.Line2, a.City, a.PostalCode, a.State, a.Country);
        }

        return new Customer(c.Email, c.FirstName, c.LastName, c.Phone, address);
    }

    private static void ValidateRedirect(string field, string? url, OrderRequestRules rules, Action<string, string, IssueKind> bad)
    {
        if (string.IsNullOrEmpty(url))
        {
            bad(field, "is required", IssueKind.Invalid);
            return;
        }

        if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(uri.UserInfo)
            || url.Any(char.IsControl))
        {
            bad(field, $"must be an absolute http(s) URL of at most {MaxUrlLength} characters, without user info", IssueKind.Invalid);
            return;
        }

        if (!IsAllowedRedirect(url, rules.AllowedRedirectOrigins))
        {
            bad(field, $"origin {Origin(uri)} is not in Security:AllowedRedirectOrigins", IssueKind.Unprocessable);
        }
    }

    private static Subscription? ValidateSubscription(SubscriptionRequest? s, Action<string, string, IssueKind> bad)
    {
        if (s is null)
        {
            return null;
        }

        var ok = true;
        if (s.Interval is not ("day" or "week" or "month" or "year"))
        {
            bad("subscription.interval", "must be one of: day, week, month, year", IssueKind.Invalid);
            ok = false;
        }

        var count = s.IntervalCount ?? 1;
        if (count is < 1 or > 365)
        {
            bad("subscription.intervalCount", "must be between 1 and 365", IssueKind.Invalid);
            ok = false;
        }

        return ok ? new Subscription(s.Interval!, count) : null;
    }

    private static Dictionary<string, string> ValidateProviderOptions(IReadOnlyDictionary<string, JsonElement>? options, Action<string, string, IssueKind> bad)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options is null)
        {
            return result;
        }

        if (options.Count > MaxProviderOptions)
        {
            bad("providerOptions", $"must have at most {MaxProviderOptions} entries", IssueKind.Invalid);
            return result;
        }

        foreach (var (key, value) in options)
        {
            if (!OptionKey().IsMatch(key))
            {
                bad($"providerOptions.{key}", "keys must be 1-40 letters, digits or '_'", IssueKind.Invalid);
                continue;
            }

            if (JsonText.IsInvalidString(value))
            {
                bad($"providerOptions.{key}", "must be valid Unicode text (no unpaired surrogates)", IssueKind.Invalid);
                continue;
            }

            string? text = value.ValueKind switch
            {
                JsonValueKind.String => JsonText.TryGetString(value, out var s) ? s : null,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            };
            if (text is null)
            {
                bad($"providerOptions.{key}", "must be a string, number or boolean", IssueKind.Invalid);
            }
            else if (CheckText(text, MaxTextLength, required: false) is { } e)
            {
                bad($"providerOptions.{key}", e, IssueKind.Invalid);
            }
            else
            {
                result[key] = text;
            }
        }

        return result;
    }

    private static Dictionary<string, string> ValidateMetadata(IReadOnlyDictionary<string, string?>? metadata, Action<string, string, IssueKind> bad)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is null)
        {
            return result;
        }

        if (metadata.Count > MaxMetadataEntries)
        {
            bad("metadata", $"must have at most {MaxMetadataEntries} entries", IssueKind.Invalid);
            return result;
        }

        foreach (var (key, value) in metadata)
        {
            if (key.Length is 0 or > MaxMetadataKeyLength || key.Any(char.IsControl))
            {
                bad($"metadata.{key}", $"keys must be 1-{MaxMetadataKeyLength} characters without control characters", IssueKind.Invalid);
            }
            else if (value is null || CheckText(value, MaxMetadataValueLength, required: false) is not null)
            {
                bad($"metadata.{key}", $"values must be strings of at most {MaxMetadataValueLength} characters without control characters", IssueKind.Invalid);
            }
            else
            {
                result[key] = value;
            }
        }

        return result;
    }

    private static string? CheckText(string? value, int max, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return required ? "is required" : (value is null ? null : "must not be blank");
        }

        if (value.Length > max)
        {
            return $"must be at most {max} characters";
        }

        return value.Any(char.IsControl) ? "must not contain control characters" : null;
    }

    [GeneratedRegex(@"^(?:\d|[1-9]\d)(?:\.\d{1,2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex VatRate();

    [GeneratedRegex(@"^[^@\s\p{Cc}]{1,64}@[^@\s\p{Cc}]+\.[^@\s\p{Cc}]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"^\+?[0-9 ()\-]{3,20}$", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();

    [GeneratedRegex(@"^[A-Z]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex CountryCode();

    [GeneratedRegex(@"^[A-Za-z0-9_]{1,40}$", RegexOptions.CultureInvariant)]
    private static partial Regex OptionKey();
}
