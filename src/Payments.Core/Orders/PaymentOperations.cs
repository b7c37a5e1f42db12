using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Payments.Core.Events;
using Payments.Core.Providers;

namespace Payments.Core.Orders;

/// <summary>Capture, refund and cancel: checked against capability and status before the provider is called.</summary>
public sealed class PaymentOperations(
    ProviderCatalog providers,
    IOrderStore orders,
    PaymentService payments,
    TimeProvider clock,
    ILogger<PaymentOperations> logger)
{
    public Task<OperationResult> CaptureAsync(string orderId, CancellationToken cancellationToken) =>
        RunAsync(orderId, ProviderCapabilities.Capture,
            order => order.Status == PaymentStatus.Authorized ? null : $"only an authorized order can be captured; it is {order.Status.ToWire()}",
            (ops, order, ct) => ops.CaptureAsync(order, ct), cancellationToken);

    public Task<OperationResult> CancelAsync(string orderId, CancellationToken cancellationToken) =>
        RunAsync(orderId, ProviderCapabilities.Cancel,
            order => order.Status is PaymentStatus.Pending or PaymentStatus.Authorized ? null
                : $"only a pending or authorized order can be cancelled; it is {order.Status.ToWire()}",
            (ops, order, ct) => ops.CancelAsync(order, ct), cancellationToken);

    private async Task<OperationResult> RunAsync(string orderId, ProviderCapabilities capability, Func<Order, string?> refuse,
        Func<IPaymentOperations, Order, CancellationToken, Task<ProviderPaymentState>> call, CancellationToken cancellationToken)
    {
        var stored = await orders.GetAsync(orderId, cancellationToken);
        if (stored is null)
        {
            return new OperationResult.NotFound();
        }

        var order = stored.Order;
        if (Operations(order, capability) is not { } ops)
        {
            return new OperationResult.NotSupported(order.Provider, capability);
        }

        if (refuse(order) is { } why)
        {
            return new OperationResult.InvalidState(order, why);
        }

        try
        {
            var state = await call(ops, order, cancellationToken);
            return new OperationResult.Done(await payments.ApplyAsync(orderId, state, TransitionSource.Api, cancellationToken));
        }
        catch (ProviderException ex)
        {
            logger.LogWarning("{Capability} of order {OrderId} at {Provider} failed: {Failure} {StatusCode}", capability, orderId, order.Provider, ex.Failure, ex.StatusCode);
            return new OperationResult.ProviderFailed(order, ex);
        }
    }

    /// <summary>
    /// Refunds <paramref name="amountMinor"/> (null: everything not yet refunded). The refund is written to the
    /// order before the provider is called, under the order's ETag, so two concurrent refunds cannot both spend
    /// the same remainder. With an <paramref name="idempotencyKey"/>, the same request again returns the order
    /// without a second refund.
    /// </summary>
    public async Task<OperationResult> RefundAsync(string orderId, long? amountMinor, string? reason, string? comment,
        string? idempotencyKey, CancellationToken cancellationToken)
    {
        var refundId = idempotencyKey is null
            ? $"rfd_{Guid.CreateVersion7(clock.GetUtcNow()):N}"
            : "rfd_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{orderId}\n{idempotencyKey}")))[..32];

        OperationResult? refusal = null;
        RefundRecord? record = null;
        var reserved = await payments.UpdateAsync(orderId, order =>
        {
            refusal = null;
            if (Operations(order, ProviderCapabilities.Refund) is null)
            {
                refusal = new OperationResult.NotSupported(order.Provider, ProviderCapabilities.Refund);
                return null;
            }

            if (order.Refunds.FirstOrDefault(r => r.RefundId == refundId) is { } existing)
            {
                record = existing;
                return null;
            }

            if (order.Status is not (PaymentStatus.Succeeded or PaymentStatus.PartiallyRefunded))
            {
                refusal = new OperationResult.InvalidState(order, $"only a succeeded order can be refunded; it is {order.Status.ToWire()}");
                return null;
            }

            var remaining = order.Amount.Minor - order.RefundedMinor;
            var amount = amountMinor ?? remaining;
            if (amount <= 0 || amount > remaining)
            {
                refusal = new OperationResult.Unprocessable("amount",
                    $"must be more than 0 and at most {Money.Money.FormatMinor(remaining, order.Amount.Currency.Exponent)}, what is left to refund");
                return null;
            }

            record = new RefundRecord(refundId, amount, reason, RefundRecordOutcome.Requested, clock.GetUtcNow());
            return (order with { Refunds = [.. order.Refunds, record], UpdatedAt = clock.GetUtcNow() }, []);
        }, cancellationToken);

        if (reserved is null)
        {
            return new OperationResult.NotFound();
        }

        if (refusal is not null)
        {
            return refusal;
        }

        if (record is null || record.Outcome is RefundRecordOutcome.Succeeded or RefundRecordOutcome.Failed or RefundRecordOutcome.Pending)
        {
            return new OperationResult.Done(reserved);
        }

        // Requested (new, or an earlier attempt that died before hearing back): ask the provider. The provider
        // derives its idempotency key from the refund id, so asking again cannot refund twice where it takes one.
        var ops = Operations(reserved, ProviderCapabilities.Refund)!;
        ProviderRefundResult result;
        try
        {
            result = await ops.RefundAsync(reserved, new RefundRequest(record.RefundId, record.AmountMinor, reason, comment), cancellationToken);
        }
        catch (ProviderException ex)
        {
            logger.LogWarning("Refund {RefundId} of order {OrderId} at {Provider} failed: {Failure} {StatusCode}", refundId, orderId, reserved.Provider, ex.Failure, ex.StatusCode);
            if (ex.Failure == ProviderFailure.Rejected)
            {
                var failed = await SettleRefundAsync(orderId, refundId, new ProviderRefundResult(null, RefundOutcome.Failed, null, ex.Message), cancellationToken);
                return new OperationResult.ProviderFailed(failed ?? reserved, ex);
            }

            // Unavailable or timed out: the refund may or may not have happened; it stays Requested and the
            // same request (same Idempotency-Key) asks again.
            return new OperationResult.ProviderFailed(reserved, ex);
        }

        return new OperationResult.Done(await SettleRefundAsync(orderId, refundId, result, cancellationToken) ?? reserved);
    }

    private Task<Order?> SettleRefundAsync(string orderId, string refundId, ProviderRefundResult result, CancellationToken cancellationToken) =>
        payments.UpdateAsync(orderId, order =>
        {
            var index = order.Refunds.ToList().FindIndex(r => r.RefundId == refundId);
            if (index < 0 || order.Refunds[index].Outcome != RefundRecordOutcome.Requested)
            {
                return null;
            }

            var outcome = result.Outcome switch
            {
                RefundOutcome.Succeeded => RefundRecordOutcome.Succeeded,
                RefundOutcome.Pending => RefundRecordOutcome.Pending,
                _ => RefundRecordOutcome.Failed,
            };
            var refunds = order.Refunds.ToList();
            refunds[index] = refunds[index] with
            {
                Outcome = outcome,
                ProviderRefundId = result.ProviderRefundId,
                ProviderStatus = result.ProviderStatus,
                FailureReason = outcome == RefundRecordOutcome.Failed ? result.Reason : null,
            };
            var updated = order with { Refunds = refunds, UpdatedAt = clock.GetUtcNow() };
            if (outcome != RefundRecordOutcome.Succeeded)
            {
                return (updated, []);
            }

            var refunded = updated.Refunds.Where(r => r.Outcome == RefundRecordOutcome.Succeeded).Sum(r => r.AmountMinor);
            var next = refunded >= order.Amount.Minor ? PaymentStatus.Refunded : PaymentStatus.PartiallyRefunded;
            if (OrderTransitions.Decide(order.Status, next) != TransitionOutcome.Apply)
            {
                return (updated, []);
            }

            var now = clock.GetUtcNow();
            var moved = updated with
            {
                Status = next,
                History = [.. order.History, new StatusTransition(order.Status, next, now, TransitionSource.Api, result.ProviderStatus, null)],
            };
            return (moved, [PaymentEvent.ForTransition(order, moved, now)]);
        }, cancellationToken);

    private IPaymentOperations? Operations(Order order, ProviderCapabilities capability) =>
        providers.TryGet(order.Provider, out var provider) && provider.Capabilities.HasFlag(capability) && provider is IPaymentOperations ops
            ? ops
            : null;
}
