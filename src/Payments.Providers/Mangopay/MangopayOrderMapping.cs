using Payments.Core.Money;
using Payments.Core.Orders;
using Payments.Core.Validation;

namespace Payments.Providers.Mangopay;

/// <summary>
/// Our order ↔ a Mangopay TWINT pay-in: the limits Mangopay and TWINT put on an order, the create body, and the check
/// that a pay-in read back is the one created for the order. Pure functions; the HTTP side is <see cref="MangopayClient"/>.
/// </summary>
public static class MangopayOrderMapping
{
    /// <summary>TWINT pay-ins are CHF only.</summary>
    public const string TwintCurrency = "CHF";

    /// <summary>"On TWINT pay-ins, the minimum amount is 0.01 CHF (DebitedFunds.Amount value 1)."</summary>
    public const long MinimumAmountMinor = 1;

    /// <summary>Mangopay's limit on <c>ReturnURL</c> and on <c>Tag</c>.</summary>
    public const int MaxReturnUrlLength = 255;

    public const int MaxTagLength = 255;

    public const string PaymentType = "TWINT";

    /// <summary>providerOptions keys read for Mangopay orders.</summary>
    public const string FeesOption = "fees";

    public const string StatementDescriptorOption = "statementDescriptor";

    /// <summary>ProviderData keys: what the pay-in was created with, checked when it is read back.</summary>
    public const string AuthorIdKey = "author_id";

    public const string CreditedWalletIdKey = "credited_wallet_id";

    /// <summary>
    /// The limits of Mangopay and TWINT on a valid order, as 422 issues naming the provider. <paramref name="returnUrl"/>
    /// is the return URL the order will get (its length is the same for every order: a fixed-length id and token
    /// under PublicBaseUrl), when it can be known here.
    /// </summary>
    public static IEnumerable<ValidationIssue> Validate(OrderDraft draft, Uri? returnUrl)
    {
        static ValidationIssue Issue(string field, string message) => new(field, $"mangopay: {message}", IssueKind.Unprocessable);

        if (draft.Amount.Currency.Code != TwintCurrency)
        {
            yield return Issue("currency", $"TWINT pay-ins accept {TwintCurrency} only");
        }

        if (draft.Amount.Minor < MinimumAmountMinor)
        {
            yield return Issue("amount", "the minimum TWINT amount is 0.01 CHF");
        }

        if (draft.ProviderOptions.ContainsKey(FeesOption))
        {
            if (!TryFees(draft.ProviderOptions, draft.Amount.Currency, out var fees, out var error))
            {
                yield return Issue($"providerOptions.{FeesOption}", error!);
            }
            else if (fees > draft.Amount.Minor)
            {
                yield return Issue($"providerOptions.{FeesOption}", "must not be more than the amount (the credited wallet gets the amount minus the fees)");
            }
        }

        if (draft.ProviderOptions.TryGetValue(StatementDescriptorOption, out var descriptor) && !MangopayOptions.IsStatementDescriptor(descriptor))
        {
            yield return Issue($"providerOptions.{StatementDescriptorOption}", "must be 1-10 letters, digits or spaces (Mangopay's StatementDescriptor)");
        }

        if (Tag(PaymentService.NewOrderId(DateTimeOffset.UnixEpoch), draft.MerchantReference).Length > MaxTagLength)
        {
            yield return Issue("merchantReference", $"is too long for Mangopay's Tag (at most {MaxTagLength} characters with the order id)");
        }

        if (returnUrl is not null && returnUrl.AbsoluteUri.Length > MaxReturnUrlLength)
        {
            yield return Issue("returnUrl",
                $"this service's return URL would be {returnUrl.AbsoluteUri.Length} characters and Mangopay accepts at most {MaxReturnUrlLength}: shorten PublicBaseUrl");
        }
    }

    /// <summary>The create body for the TWINT pay-in of <paramref name="order"/>, returning to <paramref name="returnUrl"/>.</summary>
    public static MangopayTwintPayInRequest ToCreateRequest(Order order, Uri returnUrl, MangopayOptions options)
    {
        var currency = order.Amount.Currency.Code;
        if (!TryFees(order.ProviderOptions, order.Amount.Currency, out var fees, out var error))
        {
            throw new ArgumentException($"providerOptions.{FeesOption} {error}", nameof(order));
        }

        return new MangopayTwintPayInRequest
        {
            AuthorId = options.AuthorId,
            CreditedWalletId = options.CreditedWalletId,
            DebitedFunds = new MangopayMoney(currency, order.Amount.Minor),
            Fees = new MangopayMoney(currency, fees),
            ReturnUrl = returnUrl.AbsoluteUri,
            Tag = Tag(order.Id, order.MerchantReference),
            StatementDescriptor = StatementDescriptor(order, options),
        };
    }

    /// <summary>The pay-in's <c>Tag</c>: our order id, then the merchant's reference (for people reading the Mangopay dashboard).</summary>
    public static string Tag(string orderId, string merchantReference) => $"{orderId} {merchantReference}";

    /// <summary>The order's own descriptor, else the configured default, else none.</summary>
    public static string? StatementDescriptor(Order order, MangopayOptions options) =>
        order.ProviderOptions.TryGetValue(StatementDescriptorOption, out var own) ? own
        : string.IsNullOrEmpty(options.StatementDescriptor) ? null
        : options.StatementDescriptor;

    /// <summary><c>providerOptions.fees</c> ("1.50") in minor units; 0 without it.</summary>
    public static bool TryFees(IReadOnlyDictionary<string, string> providerOptions, Currency currency, out long feesMinor, out string? error)
    {
        feesMinor = 0;
        error = null;
        if (!providerOptions.TryGetValue(FeesOption, out var text))
        {
            return true;
        }

        if (!Money.TryParseMinor(text, currency.Exponent, allowNegative: false, out feesMinor, out var why))
        {
            error = why;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Why <paramref name="payIn"/> is not the pay-in created for <paramref name="order"/>, or null when it is: the
    /// order's own pay-in id when known, our Tag, the author and wallet it was created with, TWINT, and the amount.
    /// </summary>
    public static string? WhyNotOurs(MangopayPayIn payIn, Order order, MangopayOptions options)
    {
        if (order.ProviderReference is { } reference && payIn.Id != reference)
        {
            return "it is not the pay-in created for the order";
        }

        if (payIn.Tag != Tag(order.Id, order.MerchantReference))
        {
            return "its Tag does not name the order";
        }

        var author = order.ProviderData.GetValueOrDefault(AuthorIdKey) ?? options.AuthorId;
        if (payIn.AuthorId is { } a && a != author)
        {
            return "its AuthorId differs";
        }

        var wallet = order.ProviderData.GetValueOrDefault(CreditedWalletIdKey) ?? options.CreditedWalletId;
        if (payIn.CreditedWalletId is { } w && w != wallet)
        {
            return "its CreditedWalletId differs";
        }

        if (payIn.PaymentType is { } type && type != PaymentType)
        {
            return $"it is a {type} pay-in";
        }

        if (payIn.DebitedFunds is not { } debited || debited.Currency != order.Amount.Currency.Code || debited.Amount != order.Amount.Minor)
        {
            return "its DebitedFunds differ from the order's amount";
        }

        return null;
    }
}
