using Microsoft.Extensions.Logging;
using Payments.Core.Orders;
using Payments.Core.Providers;

namespace Payments.Providers.NeuroPay;

/// <summary>Operations on a checkout: capture, refund (and finding a refund again) and cancel.</summary>
public sealed partial class NeuroPayProvider : IPaymentOperations
{
    /// <summary>
    /// <c>capture</c> of a <c>reserved</c> checkout. Not retried: when the answer is a refusal or never comes, the
    /// checkout is read again, and one already <c>paid</c> (a capture that went through, or an earlier one) counts.
    /// </summary>
    public async Task<ProviderPaymentState> CaptureAsync(Order order, CancellationToken cancellationToken)
    {
        var checkoutId = RequireCheckout(order);
        try
        {
            return State(await client.CaptureAsync(checkoutId, cancellationToken), order);
        }
        catch (ProviderException ex) when (ex.IsFrom(ProviderName) && ex.Failure != ProviderFailure.NotFound)
        {
            var now = await TryRetrieveAsync(checkoutId, cancellationToken);
            if (now?.Status is NeuroPayStatusMapping.Paid or NeuroPayStatusMapping.PartialRefund or NeuroPayStatusMapping.Refunded)
            {
                logger.LogInformation("Capture of checkout {CheckoutId} answered {Failure}, but the checkout is {Status}: captured",
                    checkoutId, ex.Failure, now.Status);
                return State(now, order);
            }

            throw;
        }
    }

    /// <summary>
    /// <c>refund</c> with the amount, the reason in Neuro-Pay's words and the comment as <c>refundDetails</c>.
    /// Neuro-Pay takes no idempotency key and has no refund id: the refund service sends each refund once, one refund of
    /// an order at a time, and settles one whose answer was lost with <see cref="FindRefundAsync"/>. The checkout is read
    /// first: when it already shows more refunded than every refund we recorded, nothing is sent (the refund fails with
    /// that reason, for a human), since the totals could no longer tell what a refund did.
    /// </summary>
    public async Task<ProviderRefundResult> RefundAsync(Order order, RefundRequest request, CancellationToken cancellationToken)
    {
        var checkoutId = RequireCheckout(order);
        NeuroPayCheckout before;
        try
        {
            before = await client.RetrieveCheckoutAsync(checkoutId, cancellationToken);
        }
        catch (ProviderException ex) when (ex.IsFrom(ProviderName) && !ex.NotSent)
        {
            throw new ProviderException(ProviderFailureInfo.BeforeSending(ex));
        }

        var ours = Core.Refunds.RefundRules.HeldByOthers(order, request.RefundId);
        if (RefundedTotal(before, order) is { } refunded && refunded > ours)
        {
            logger.LogWarning("Neuro-Pay checkout {CheckoutId} shows {Refunded} refunded, more than the {Ours} we recorded; refund {RefundId} of order {OrderId} is not sent",
                checkoutId, refunded, ours, request.RefundId, order.Id);
            return new ProviderRefundResult(null, RefundOutcome.Failed, before.Status,
                "The Neuro-Pay checkout shows more refunded than this service recorded; not sent until someone reconciles it at Neuro-Pay");
        }

        var body = new NeuroPayRefundRequest
        {
            CheckoutId = checkoutId,
            Amount = request.AmountMinor,
            Reason = NeuroPayOrderMapping.RefundReason(request.Reason),
            RefundDetails = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment,
        };

        var after = await client.RefundAsync(body, cancellationToken);
        var outcome = after.Status switch
        {
            NeuroPayStatusMapping.Refunded or NeuroPayStatusMapping.PartialRefund or NeuroPayStatusMapping.ReserveReleased => RefundOutcome.Succeeded,
            NeuroPayStatusMapping.Failed => RefundOutcome.Failed,

            // Accepted (2xx) but the checkout does not show it yet.
            _ => RefundOutcome.Pending,
        };
        return new ProviderRefundResult(null, outcome, after.Status, outcome == RefundOutcome.Failed ? $"Neuro-Pay status is {after.Status}" : null);
    }

    /// <summary>
    /// Calls off a payment that has taken no money: a <c>created</c> checkout is deleted (documented only while
    /// created), a <c>reserved</c> one is released with a refund without amount ("reserve released"). A checkout
    /// already closed is reported as it is; one that was paid meanwhile is reported as paid (its state is returned,
    /// not hidden), since there is nothing to cancel: it needs a refund.
    /// </summary>
    public async Task<ProviderPaymentState> CancelAsync(Order order, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } checkoutId)
        {
            // No checkout was ever opened (or its creation's outcome is unknown): nothing at Neuro-Pay to call off.
            return new ProviderPaymentState(PaymentStatus.Cancelled, null, null, "Cancelled before a Neuro-Pay checkout was opened");
        }

        var checkout = await client.RetrieveCheckoutAsync(checkoutId, cancellationToken);
        try
        {
            switch (checkout.Status)
            {
                case NeuroPayStatusMapping.Created:
                    var deleted = await client.DeleteCheckoutAsync(checkoutId, cancellationToken);
                    var word = deleted?.Status is { } s && NeuroPayStatusMapping.IsClosedUnpaid(s) ? s : DeletedStatus;
                    return new ProviderPaymentState(PaymentStatus.Cancelled, word, checkoutId, "Deleted at Neuro-Pay before payment", Data(deleted ?? checkout));
                case NeuroPayStatusMapping.Reserved:
                    return State(await client.RefundAsync(new NeuroPayRefundRequest { CheckoutId = checkoutId }, cancellationToken), order);
            }
        }
        catch (ProviderException ex) when (ex.IsFrom(ProviderName) && ex.Failure != ProviderFailure.NotFound)
        {
            // Refused or unknown: the shopper may have paid in between. Report what the checkout says now, unless that
            // is still the state we tried to leave.
            var now = await TryRetrieveAsync(checkoutId, cancellationToken);
            if (now is null || now.Status == checkout.Status)
            {
                throw;
            }

            checkout = now;
        }

        if (!NeuroPayStatusMapping.IsClosedUnpaid(checkout.Status))
        {
            logger.LogWarning("Cancel of order {OrderId}: Neuro-Pay checkout {CheckoutId} is {Status}, which cannot be cancelled; reporting it as it is",
                order.Id, checkoutId, checkout.Status);
        }

        return State(checkout, order);
    }

    /// <summary>
    /// A lost refund answer, settled from the checkout's refunded total (see
    /// <see cref="Core.Refunds.RefundRules.FromRefundedTotal"/>): never by refunding again. Without a refunded total (the
    /// field is undocumented) the checkout cannot tell, and the refund is left for a human.
    /// </summary>
    public async Task<ProviderRefundResult?> FindRefundAsync(Order order, RefundRecord refund, CancellationToken cancellationToken)
    {
        var checkout = await client.RetrieveCheckoutAsync(RequireCheckout(order), cancellationToken);
        return RefundedTotal(checkout, order) is not { } refunded
            ? null
            : Core.Refunds.RefundRules.FindInRefundedTotal(order, refund, refunded, checkout.Status, "The Neuro-Pay checkout");
    }

    /// <summary>
    /// What the checkout says was refunded: its refunded total when it reports one (undocumented field), else the whole
    /// amount when it is <c>refunded</c>, nothing when it is <c>paid</c>; null when it cannot tell.
    /// </summary>
    private static long? RefundedTotal(NeuroPayCheckout checkout, Order order) =>
        checkout.RefundedAmount
        ?? checkout.Status switch
        {
            NeuroPayStatusMapping.Refunded => order.Amount.Minor,
            NeuroPayStatusMapping.Paid => 0,
            _ => null,
        };
}
