using System.Security.Cryptography;
using System.Text;
using Payments.Core.Orders;

namespace Payments.Core.Charges;

/// <summary>The rules about charges that more than one place needs: ids, due times, the subscription schedule.</summary>
public static class ChargeRules
{
    /// <summary>
    /// A queued charge whose message should have been handled by now is sent again after this long (its message may be
    /// lost: the send failed after the charge was written, or the message was dead-lettered).
    /// </summary>
    public static readonly TimeSpan ResendAfter = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A charge still <see cref="ChargeStatus.Processing"/> this long after it was marked is one whose delivery died
    /// mid-call (the provider clients time out well before): the sweep marks it unknown.
    /// </summary>
    public static readonly TimeSpan ProcessingLease = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Charges kept on one order. The automatic subscription chain stops here (the order document has a size limit);
    /// the API refuses more with a 422.
    /// </summary>
    public const int MaxChargesPerOrder = 400;

    /// <summary>An order can be charged again only while its money is taken and not all given back.</summary>
    public static bool IsChargeable(PaymentStatus status) => status is PaymentStatus.Succeeded or PaymentStatus.PartiallyRefunded;

    /// <summary>
    /// When the sweep should look at the order's charges next: a queued charge <see cref="ResendAfter"/> after it was due,
    /// a processing one <see cref="ProcessingLease"/> after it was marked. Null when no charge needs looking at. Stored as a
    /// scalar column so the sweep can query for it.
    /// </summary>
    public static DateTimeOffset? AttentionAt(Order order)
    {
        DateTimeOffset? at = null;
        foreach (var charge in order.Charges)
        {
            DateTimeOffset? due = charge.Status switch
            {
                ChargeStatus.Queued => charge.DueAt + ResendAfter,
                ChargeStatus.Processing => charge.UpdatedAt + ProcessingLease,
                _ => null,
            };
            if (due is { } d && (at is null || d < at))
            {
                at = d;
            }
        }

        return at;
    }

    /// <summary>A fresh charge id: "chg_" + 32 hex digits (time-ordered).</summary>
    public static string NewChargeId(DateTimeOffset now) => $"chg_{Guid.CreateVersion7(now):N}";

    /// <summary>The id of the charge asked for with <paramref name="idempotencyKey"/>: the same key again names the same charge.</summary>
    public static string ChargeIdFor(string orderId, ChargeKind kind, string idempotencyKey) => Derived($"{orderId}\n{kind}\n{idempotencyKey}");

    /// <summary>The id of the automatic renewal of billing cycle <paramref name="cycle"/>: scheduling it twice names one charge.</summary>
    public static string RenewalChargeId(string orderId, int cycle) => Derived($"{orderId}\nrenewal\n{cycle}");

    /// <summary>Whether <paramref name="text"/> looks like a charge id.</summary>
    public static bool IsChargeId(string? text) =>
        text is { Length: 36 } && text.StartsWith("chg_", StringComparison.Ordinal) && !text.AsSpan(4).ContainsAnyExcept(LowerHex);

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// When billing cycle <paramref name="cycle"/> of a subscription order is due: the moment the order first succeeded
    /// plus (cycle - 1) intervals, computed from that anchor so months keep their day (31 Jan, 28 Feb, 31 Mar).
    /// </summary>
    public static DateTimeOffset RenewalDueAt(Order order, Subscription subscription, int cycle)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cycle, 2);
        var anchor = order.History.FirstOrDefault(h => h.To == PaymentStatus.Succeeded)?.At ?? order.CreatedAt;
        var steps = subscription.IntervalCount * (cycle - 1);
        return subscription.Interval switch
        {
            "day" => anchor.AddDays(steps),
            "week" => anchor.AddDays(7 * steps),
            "month" => anchor.AddMonths(steps),
            "year" => anchor.AddYears(steps),
            _ => throw new InvalidOperationException($"Order {order.Id} has an unknown subscription interval '{subscription.Interval}'."),
        };
    }

    /// <summary>
    /// The order with the automatic renewal of <paramref name="cycle"/> queued (amount and lines of the original order,
    /// due at <see cref="RenewalDueAt"/>), or the order unchanged when the order has no subscription, the charge exists
    /// already, or the order holds <see cref="MaxChargesPerOrder"/> charges.
    /// </summary>
    public static Order WithRenewalQueued(Order order, int cycle, DateTimeOffset now)
    {
        if (order.Subscription is not { } subscription || order.Charges.Count >= MaxChargesPerOrder)
        {
            return order;
        }

        var chargeId = RenewalChargeId(order.Id, cycle);
        if (order.Charges.Any(c => c.ChargeId == chargeId))
        {
            return order;
        }

        var charge = new ChargeRecord(chargeId, ChargeKind.Recurring, order.Amount.Minor, [], ChargeStatus.Queued, now, now,
            RunAt: RenewalDueAt(order, subscription, cycle), Cycle: cycle);
        return order with { Charges = [.. order.Charges, charge] };
    }

    private static string Derived(string seed) => "chg_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)))[..32];
}
