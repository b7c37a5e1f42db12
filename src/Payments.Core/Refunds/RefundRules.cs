using System.Security.Cryptography;
using System.Text;
using Payments.Core.Orders;
using Payments.Core.Providers;

namespace Payments.Core.Refunds;

/// <summary>The rules every refund of an order follows, in one place.</summary>
public static class RefundRules
{
    /// <summary>
    /// A refund still <c>requested</c> this long after it was claimed has lost its sender (the process died or the
    /// answer was lost): it is then settled by reading the provider, never sent again. Longer than any provider call
    /// with its retries and timeouts.
    /// </summary>
    public static readonly TimeSpan SendLease = TimeSpan.FromMinutes(2);

    /// <summary>The id of the refund asked for with <paramref name="idempotencyKey"/>: the same key on the same order names the same refund.</summary>
    public static string IdFor(string orderId, string idempotencyKey) =>
        "rfd_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{orderId}\n{idempotencyKey}")))[..32];

    /// <summary>A fresh refund id: "rfd_" + 32 hex digits (time-ordered).</summary>
    public static string NewId(DateTimeOffset now) => $"rfd_{Guid.CreateVersion7(now):N}";

    /// <summary>The refund of the order being sent now (at most one at a time), or null.</summary>
    public static RefundRecord? InFlight(Order order) => order.Refunds.FirstOrDefault(r => r.Outcome == RefundRecordOutcome.Requested);

    /// <summary>Whether a <c>requested</c> refund has outlived <see cref="SendLease"/>.</summary>
    public static bool IsStale(RefundRecord refund, DateTimeOffset now) =>
        refund.Outcome == RefundRecordOutcome.Requested && now - refund.RequestedAt >= SendLease;

    /// <summary>
    /// When the refund sweep should look at the order: when its in-flight refund's lease ends. Null when no refund is in
    /// flight. Stored as a scalar column so the sweep can query for it.
    /// </summary>
    public static DateTimeOffset? AttentionAt(Order order) => InFlight(order) is { } r ? r.RequestedAt + SendLease : null;

    /// <summary>Minor units the provider has refunded by our records before <paramref name="refund"/>: every other succeeded refund.</summary>
    public static long SucceededBefore(Order order, RefundRecord refund) =>
        order.Refunds.Where(r => r.RefundId != refund.RefundId && r.Outcome == RefundRecordOutcome.Succeeded).Sum(r => r.AmountMinor);

    /// <summary>
    /// Whether every other refund of the order is settled one way (succeeded or failed), so that the provider's refunded
    /// total tells whether <paramref name="refund"/> happened. A pending or unknown one makes the total ambiguous.
    /// </summary>
    public static bool OthersSettled(Order order, RefundRecord refund) =>
        order.Refunds.All(r => r.RefundId == refund.RefundId || r.Outcome is RefundRecordOutcome.Succeeded or RefundRecordOutcome.Failed);

    /// <summary>
    /// What a provider's refunded total says about <paramref name="refund"/>, the one refund in flight: exactly our other
    /// succeeded refunds plus this one, it went through; exactly the others, it did not; anything else, or other refunds
    /// not settled, cannot tell (null). For providers that take no idempotency key (NEXT, Neuro-Pay).
    /// </summary>
    public static RefundOutcome? FromRefundedTotal(Order order, RefundRecord refund, long refundedAtProvider)
    {
        if (!OthersSettled(order, refund))
        {
            return null;
        }

        var before = SucceededBefore(order, refund);
        return refundedAtProvider == before + refund.AmountMinor ? RefundOutcome.Succeeded
            : refundedAtProvider == before ? RefundOutcome.Failed
            : null;
    }

    /// <summary>
    /// <see cref="FromRefundedTotal"/> as a provider's answer to <see cref="IPaymentOperations.FindRefundAsync"/>:
    /// <paramref name="providerStatus"/> is the provider's status word, <paramref name="shownBy"/> names what was read
    /// ("NEXT order 108231") for the reason of a refund that was not carried out.
    /// </summary>
    public static ProviderRefundResult? FindInRefundedTotal(Order order, RefundRecord refund, long refundedAtProvider, string? providerStatus, string shownBy) =>
        FromRefundedTotal(order, refund, refundedAtProvider) switch
        {
            RefundOutcome.Succeeded => new ProviderRefundResult(null, RefundOutcome.Succeeded, providerStatus, null),
            RefundOutcome.Failed => new ProviderRefundResult(null, RefundOutcome.Failed, providerStatus, $"{shownBy} shows no such refund: it was not carried out"),
            _ => null,
        };

    /// <summary>
    /// Minor units the order's refunds other than <paramref name="refundId"/> may have refunded at the provider (every one
    /// not failed). A provider showing more than this refunded is out of step with our records: nothing more is sent.
    /// </summary>
    public static long HeldByOthers(Order order, string refundId) =>
        order.Refunds.Where(r => r.RefundId != refundId && r.Outcome != RefundRecordOutcome.Failed).Sum(r => r.AmountMinor);
}
