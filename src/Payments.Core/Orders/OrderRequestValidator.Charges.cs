using Payments.Core.Charges;
using Payments.Core.Money;
using Payments.Core.Providers;
using Payments.Core.Validation;

namespace Payments.Core.Orders;

/// <summary>The rules of a follow-up charge (upsell or recurring) on an order: its amount, its items and when it runs.</summary>
public static partial class OrderRequestValidator
{
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
}
