using Payments.Core.Money;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Core.Refunds;

/// <summary>A refund request that passed <see cref="RefundRequestRules.Validate"/>: no amount means everything not yet refunded.</summary>
public sealed record RefundDraft(long? AmountMinor, string? Reason, string? Comment);

/// <summary>
/// The rules of a refund request's fields, beside the order and charge rules: the amount in the order's currency (minor
/// units, not negative), a reason from <see cref="RefundReasons.All"/>, a short comment without control characters. Whether
/// the amount is still refundable is the refund's own business (<see cref="RefundService"/>), decided against the order.
/// </summary>
public static class RefundRequestRules
{
    public const int MaxCommentLength = 255;

    public static (RefundDraft? Draft, IReadOnlyList<ValidationIssue> Issues) Validate(string? amount, string? reason, string? comment, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var issues = new List<ValidationIssue>();
        long? minor = null;
        if (amount is not null)
        {
            if (Money.Money.TryParseMinor(amount, currency.Exponent, allowNegative: false, out var parsed, out var amountError))
            {
                minor = parsed;
            }
            else
            {
                issues.Add(new("amount", amountError));
            }
        }

        if (reason is not null && !RefundReasons.All.Contains(reason))
        {
            issues.Add(new("reason", $"must be one of: {string.Join(", ", RefundReasons.All.Order(StringComparer.Ordinal))}"));
        }

        if (comment is not null && (comment.Length > MaxCommentLength || comment.Any(char.IsControl)))
        {
            issues.Add(new("comment", $"must be at most {MaxCommentLength} characters without control characters"));
        }

        return issues.Count > 0 ? (null, issues) : (new RefundDraft(minor, reason, comment), issues);
    }
}
