using System.Globalization;
using Payments.Core.Money;
using Payments.Core.Validation;

namespace Payments.Core.Orders;

/// <summary>What the validator needs to know about the deployment.</summary>
public sealed record OrderRequestRules(IReadOnlySet<string> KnownProviders, IReadOnlyCollection<string> AllowedRedirectOrigins);

/// <summary>
/// Validates every field of a create request. Format errors are 400s; a well-formed request the service
/// will not act on (a redirect to a foreign origin, items that do not add up) is a 422.
/// </summary>
/// <remarks>
/// One file per part of the request: this one (the order: provider, reference, amount, redirects, subscription),
/// <c>.Items</c>, <c>.Customer</c>, <c>.Metadata</c> (provider options and metadata) and <c>.Charges</c> (follow-up charges).
/// </remarks>
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

    /// <summary>Whether <paramref name="url"/> is an absolute http(s) URL whose origin is in the allow-list.</summary>
    public static bool IsAllowedRedirect(string url, IReadOnlyCollection<string> allowedOrigins) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && allowedOrigins.Contains(Origin(uri), StringComparer.OrdinalIgnoreCase);

    /// <summary>scheme://host[:port] with the default port left out, as browsers serialise an origin.</summary>
    public static string Origin(Uri uri) => uri.IsDefaultPort
        ? $"{uri.Scheme}://{uri.IdnHost}"
        : $"{uri.Scheme}://{uri.IdnHost}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";

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
}
