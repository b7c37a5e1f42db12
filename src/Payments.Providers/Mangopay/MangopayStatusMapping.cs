using Payments.Core.Orders;
using Payments.Core.Providers;

namespace Payments.Providers.Mangopay;

/// <summary>
/// The one map from Mangopay's transaction <c>Status</c> to ours (README: Order statuses), for pay-ins and for their refunds.
/// A pay-in is CREATED until the shopper completes or abandons TWINT, then SUCCEEDED or FAILED ("the transaction is
/// complete when the pay-in status changes from CREATED to SUCCEEDED or FAILED"). Null means "no change".
/// </summary>
public static class MangopayStatusMapping
{
    /// <summary>Every documented value of a TWINT pay-in's (and a refund's) <c>Status</c>.</summary>
    public static readonly IReadOnlyList<string> KnownStatuses = ["CREATED", "SUCCEEDED", "FAILED"];

    /// <summary>
    /// Maps a pay-in's <paramref name="status"/>. Returns false for a value Mangopay did not document (or none): the
    /// status is then null ("no change") and the caller logs the value.
    /// </summary>
    public static bool TryMapPayIn(string? status, out PaymentStatus? mapped)
    {
        (var known, mapped) = status switch
        {
            // Opened, the shopper has not finished on the TWINT page yet: nothing new.
            "CREATED" => (true, (PaymentStatus?)null),
            "SUCCEEDED" => (true, PaymentStatus.Succeeded),

            // Declined, abandoned (the TWINT session times out after 15 minutes) or refused: ResultCode says which.
            "FAILED" => (true, PaymentStatus.Failed),
            _ => (false, (PaymentStatus?)null),
        };
        return known;
    }

    /// <summary>
    /// Maps a refund's <paramref name="status"/>. An unknown value is Pending: the refund was accepted (Mangopay
    /// answered with a refund object) and nothing says it is final.
    /// </summary>
    public static bool TryMapRefund(string? status, out RefundOutcome outcome)
    {
        (var known, outcome) = status switch
        {
            "CREATED" => (true, RefundOutcome.Pending),
            "SUCCEEDED" => (true, RefundOutcome.Succeeded),
            "FAILED" => (true, RefundOutcome.Failed),
            _ => (false, RefundOutcome.Pending),
        };
        return known;
    }
}
