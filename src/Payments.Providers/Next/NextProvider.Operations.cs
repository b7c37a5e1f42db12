using Microsoft.Extensions.Logging;
using Payments.Core.Orders;
using Payments.Core.Providers;

namespace Payments.Providers.Next;

/// <summary>Operations on a NEXT order: refund (and finding a refund again) and cancel; no capture.</summary>
public sealed partial class NextProvider : IPaymentOperations
{
    /// <summary>Not supported: TWINT through NEXT is a one-step payment, and Capture is not claimed.</summary>
    public Task<ProviderPaymentState> CaptureAsync(Order order, CancellationToken cancellationToken) =>
        throw new NotSupportedException("NEXT payments (TWINT) are one-step; there is nothing to capture.");

    /// <summary>
    /// Refunds through <c>POST /orders/{number}/refund/</c>, spreading the amount over the order's succeeded debit
    /// transactions (oldest first, each up to what is left of it).
    /// </summary>
    /// <remarks>
    /// What NEXT's 2024-04-01 spec leaves open, decided here in one place:
    /// <list type="bullet">
    /// <item>No idempotency key. The refund service sends each refund once and only one refund of an order at a time,
    /// and settles a refund whose answer was lost with <see cref="FindRefundAsync"/>, from NEXT's refunded total (the sum
    /// of the order's succeeded <c>refund</c> transactions).</item>
    /// <item>The order is read first (for its debit transactions). When NEXT already shows more refunded than every refund
    /// we recorded (a refund made in NEXT's dashboard, or one we lost track of), nothing is sent: the refund fails with
    /// that reason, for a human to reconcile, since the totals could no longer tell what a refund did.</item>
    /// <item>RefundOrder has no reason field: our reason, refund id and comment go into <c>note</c>.</item>
    /// <item>The Refund answer's fields beyond <c>id</c> are not relied on; a 200 is taken as the refund done.</item>
    /// </list>
    /// </remarks>
    public async Task<ProviderRefundResult> RefundAsync(Order order, RefundRequest request, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } number)
        {
            return new ProviderRefundResult(null, RefundOutcome.Failed, null, $"Order {order.Id} has no NEXT order number to refund");
        }

        var currency = order.Amount.Currency;
        NextOrder next;
        try
        {
            next = await client.GetOrderAsync(number, cancellationToken);
        }
        catch (ProviderException ex) when (ex.IsFrom(ProviderName) && !ex.NotSent)
        {
            throw new ProviderException(ProviderFailureInfo.BeforeSending(ex));
        }

        var transactions = next.Transactions ?? [];
        var refunds = transactions.Where(t => t.Type == "refund" && t.Status == "succeeded").ToList();
        var refundedAtNext = RefundedTotal(next, currency);
        var ours = Core.Refunds.RefundRules.HeldByOthers(order, request.RefundId);
        if (refundedAtNext > ours)
        {
            logger.LogWarning("NEXT order {Number} shows {RefundedAtNext} refunded, more than the {Ours} we recorded; refund {RefundId} is not sent",
                number, refundedAtNext, ours, request.RefundId);
            return new ProviderRefundResult(null, RefundOutcome.Failed, next.PaymentStatus,
                $"NEXT order {number} shows {Core.Money.Money.FormatMinor(refundedAtNext, currency.Exponent)} refunded, more than this service recorded; not sent until someone reconciles the order at NEXT");
        }

        var left = request.AmountMinor;
        var parts = new List<NextRefundTransactionRequest>();
        foreach (var debit in transactions.Where(t => t.Type == "debit" && t.Status == "succeeded" && t.Id is not null).OrderBy(t => t.Id))
        {
            if (left <= 0)
            {
                break;
            }

            if (!NextOrderMapping.TryParseAmount(debit.Amount, currency, out var paid))
            {
                continue;
            }

            var refundedOfDebit = refunds.Where(r => r.ParentId == debit.Id).Sum(r => NextOrderMapping.TryParseAmount(r.Amount, currency, out var m) ? m : 0);
            var take = Math.Min(left, paid - refundedOfDebit);
            if (take > 0)
            {
                parts.Add(new NextRefundTransactionRequest(debit.Id!.Value, Core.Money.Money.FormatMinor(take, currency.Exponent)));
                left -= take;
            }
        }

        if (left > 0)
        {
            return new ProviderRefundResult(null, RefundOutcome.Failed, next.PaymentStatus,
                $"NEXT order {number} has not enough refundable payment left for {Core.Money.Money.FormatMinor(request.AmountMinor, currency.Exponent)}");
        }

        var note = string.Join(" ", new[] { request.Reason is null ? null : $"reason: {request.Reason};", $"refund {request.RefundId}", request.Comment }.Where(x => x is not null));
        var refund = await client.RefundOrderAsync(number, new NextRefundOrderRequest { Transactions = parts, Note = note }, cancellationToken);
        var refundId = refund.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ProviderRefundResult(refundId is null ? null : $"{number}/{refundId}", RefundOutcome.Succeeded, "refund_created", null);
    }

    /// <summary>
    /// A lost refund answer, settled from NEXT's refunded total (see <see cref="Core.Refunds.RefundRules.FromRefundedTotal"/>):
    /// never by refunding again.
    /// </summary>
    public async Task<ProviderRefundResult?> FindRefundAsync(Order order, RefundRecord refund, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } number)
        {
            return new ProviderRefundResult(null, RefundOutcome.Failed, null, $"Order {order.Id} has no NEXT order number: nothing was refunded");
        }

        var next = await client.GetOrderAsync(number, cancellationToken);
        return Core.Refunds.RefundRules.FindInRefundedTotal(order, refund, RefundedTotal(next, order.Amount.Currency), next.PaymentStatus, $"NEXT order {number}");
    }

    /// <summary>NEXT's refunded total: the sum of the order's succeeded refund transactions.</summary>
    private static long RefundedTotal(NextOrder next, Core.Money.Currency currency) =>
        (next.Transactions ?? []).Where(t => t.Type == "refund" && t.Status == "succeeded")
            .Sum(t => NextOrderMapping.TryParseAmount(t.Amount, currency, out var m) ? m : 0);

    /// <summary>
    /// Cancels through <c>POST /orders/{number}/cancel/</c> (without NEXT's <c>full_refund</c>), then maps the order's
    /// <c>payment_status</c> as <see cref="ConfirmAsync"/> does. With no NEXT order number yet there is nothing NEXT can
    /// cancel: NEXT creates the order only once the TWINT payment succeeded, so the answer is "no change" and the
    /// order stays as it is (the host already only cancels pending or authorized orders; the payment session expires
    /// on its own and reconciliation settles it).
    /// </summary>
    public async Task<ProviderPaymentState> CancelAsync(Order order, CancellationToken cancellationToken)
    {
        if (order.ProviderReference is not { } number)
        {
            return new ProviderPaymentState(null, null, null, $"No NEXT order exists for order {order.Id} yet; nothing to cancel at NEXT");
        }

        var next = await client.CancelOrderAsync(number, cancellationToken);
        NextStatusMapping.TryMap(next.PaymentStatus, out var status);
        return new ProviderPaymentState(status, next.PaymentStatus, number,
            status == PaymentStatus.Cancelled ? $"NEXT payment_status is {next.PaymentStatus}" : null,
            new Dictionary<string, string>(StringComparer.Ordinal) { [OrderNumberKey] = number });
    }

    private static string TransactionReference(string number, NextTransaction transaction) =>
        $"{number}/{transaction.Id!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
