using Microsoft.Extensions.Logging;
using Payments.Core.Events;
using Payments.Core.Orders;
using Payments.Core.Providers;

namespace Payments.Core.Refunds;

/// <summary>What one refund sweep did.</summary>
public sealed record RefundSweepReport(int Checked, int Settled, int Unknown, int Failed);

/// <summary>
/// Refunds, so that money moves exactly once for one refund (README: HTTP API, refunds; Reliability).
/// </summary>
/// <remarks>
/// <list type="number">
/// <item><b>Claim.</b> The refund is written to the order as <c>requested</c> under the order's ETag before the provider
/// is called; the one caller whose write won sends it. A duplicate (same <c>Idempotency-Key</c>) finds the record and
/// answers its current status without a provider call.</item>
/// <item><b>One at a time per order.</b> While a refund of an order is in flight, another one waits for it on this
/// instance (bounded by <see cref="MaxWait"/>) or, across instances, is refused with <see cref="OperationResult.RefundBusy"/>
/// (409 <c>refund-in-progress</c>, nothing written). So at most one refund of an order is ever undecided, and the
/// provider's refunded total tells whether it happened.</item>
/// <item><b>Never sent twice.</b> A refund whose send died mid-call (timeout, lost answer, crash, a failed write of the
/// answer) stays <c>requested</c>; once its <see cref="RefundRules.SendLease"/> is over it is settled by reading the
/// provider (<see cref="IPaymentOperations.FindRefundAsync"/>), or marked <c>unknown</c> for a human when the provider's
/// records cannot tell. Only a failure that certainly never reached the provider (<see cref="ProviderException.NotSent"/>)
/// removes the claim, so the same request can be sent again.</item>
/// </list>
/// </remarks>
public sealed class RefundService(
    ProviderCatalog providers,
    PaymentService payments,
    IOrderStore orders,
    IOrderQueries queries,
    TimeProvider clock,
    ILogger<RefundService> logger)
{
    /// <summary>How long a refund waits on this instance for another refund of the same order to finish.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    /// <summary>Orders the sweep looks at per run.</summary>
    public const int MaxOrdersPerSweep = 100;

    /// <summary>When to ask again while another refund of the order is on its way (it takes a provider call or two).</summary>
    private static readonly TimeSpan BusyRetryAfter = TimeSpan.FromSeconds(2);

    private readonly KeyedLock _orders = new();

    /// <summary>
    /// Refunds <paramref name="amountMinor"/> (null: everything not yet refunded). With <paramref name="idempotencyKey"/>,
    /// the same request again is the same refund: it answers where that refund stands and never sends it again.
    /// </summary>
    public async Task<OperationResult> RefundAsync(string orderId, long? amountMinor, string? reason, string? comment,
        string? idempotencyKey, CancellationToken cancellationToken)
    {
        var refundId = idempotencyKey is null ? RefundRules.NewId(clock.GetUtcNow()) : RefundRules.IdFor(orderId, idempotencyKey);
        using var held = await _orders.TryAcquireAsync(orderId, MaxWait, cancellationToken);
        if (held is null)
        {
            return new OperationResult.RefundBusy(orderId, null, BusyRetryAfter);
        }

        // Two rounds at most: the second follows settling another refund whose lease was over.
        for (var round = 0; round < 2; round++)
        {
            var claim = await ClaimAsync(orderId, refundId, amountMinor, reason, comment, cancellationToken);
            switch (claim)
            {
                case Claim.Refused refused:
                    return refused.Result;
                case Claim.Existing { Refund.Outcome: RefundRecordOutcome.Requested } existing:
                    return RefundRules.IsStale(existing.Refund, clock.GetUtcNow())
                        ? await CheckAsync(existing.Order, existing.Refund)
                        : new OperationResult.RefundInFlight(existing.Order, existing.Refund);
                case Claim.Existing existing:
                    return new OperationResult.Done(existing.Order);
                case Claim.OtherInFlight other when RefundRules.IsStale(other.Refund, clock.GetUtcNow()):
                    await CheckAsync(other.Order, other.Refund);
                    continue;
                case Claim.OtherInFlight other:
                    return new OperationResult.RefundBusy(orderId, other.Refund.RefundId, RetryAfter(other.Refund));
                case Claim.Claimed claimed:
                    return await SendAsync(claimed.Order, claimed.Refund);
            }
        }

        return new OperationResult.RefundBusy(orderId, null, BusyRetryAfter);
    }

    /// <summary>
    /// The refund sweep (run with reconciliation): settles every refund whose <see cref="RefundRules.SendLease"/> is over
    /// by reading the provider. An order another caller is working on is left for the next run.
    /// </summary>
    public async Task<RefundSweepReport> SweepAsync(CancellationToken cancellationToken)
    {
        var ids = await queries.FindRefundsDueAsync(clock.GetUtcNow(), MaxOrdersPerSweep, cancellationToken);
        int settled = 0, unknown = 0, failed = 0;
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var held = await _orders.TryAcquireAsync(id, TimeSpan.Zero, cancellationToken);
            if (held is null)
            {
                continue;
            }

            if ((await orders.GetAsync(id, cancellationToken))?.Order is not { } order
                || RefundRules.InFlight(order) is not { } refund || !RefundRules.IsStale(refund, clock.GetUtcNow()))
            {
                continue;
            }

            switch (await CheckAsync(order, refund))
            {
                case OperationResult.Done { Order: var after } when Outcome(after, refund.RefundId) == RefundRecordOutcome.Unknown:
                    unknown++;
                    break;
                case OperationResult.Done:
                    settled++;
                    break;
                default:
                    failed++;
                    break;
            }
        }

        if (ids.Count > 0)
        {
            logger.LogInformation("Refund sweep: {Checked} orders, {Settled} refunds settled, {Unknown} unknown, {Failed} could not be checked",
                ids.Count, settled, unknown, failed);
        }

        return new RefundSweepReport(ids.Count, settled, unknown, failed);
    }

    private abstract record Claim
    {
        public sealed record Refused(OperationResult Result) : Claim;

        /// <summary>The same refund was asked for before (same Idempotency-Key).</summary>
        public sealed record Existing(Order Order, RefundRecord Refund) : Claim;

        /// <summary>Another refund of the order is in flight.</summary>
        public sealed record OtherInFlight(Order Order, RefundRecord Refund) : Claim;

        /// <summary>Written as requested by this caller: it, and only it, sends it.</summary>
        public sealed record Claimed(Order Order, RefundRecord Refund) : Claim;
    }

    private async Task<Claim> ClaimAsync(string orderId, string refundId, long? amountMinor, string? reason, string? comment, CancellationToken cancellationToken)
    {
        Claim? claim = null;
        RefundRecord? record = null;
        var written = await payments.UpdateAsync(orderId, order =>
        {
            claim = null;
            record = null;
            if (order.Refunds.FirstOrDefault(r => r.RefundId == refundId) is { } existing)
            {
                claim = new Claim.Existing(order, existing);
                return null;
            }

            if (Operations(order) is null)
            {
                claim = new Claim.Refused(new OperationResult.NotSupported(order.Provider, ProviderCapabilities.Refund));
                return null;
            }

            if (order.Status is not (PaymentStatus.Succeeded or PaymentStatus.PartiallyRefunded))
            {
                claim = new Claim.Refused(new OperationResult.InvalidState(order, $"only a succeeded order can be refunded; it is {order.Status.ToWire()}"));
                return null;
            }

            if (RefundRules.InFlight(order) is { } other)
            {
                claim = new Claim.OtherInFlight(order, other);
                return null;
            }

            var remaining = order.Amount.Minor - order.RefundedMinor;
            var amount = amountMinor ?? remaining;
            if (amount <= 0 || amount > remaining)
            {
                claim = new Claim.Refused(new OperationResult.Unprocessable("amount",
                    $"must be more than 0 and at most {Money.Money.FormatMinor(remaining, order.Amount.Currency.Exponent)}, what is left to refund"));
                return null;
            }

            var now = clock.GetUtcNow();
            record = new RefundRecord(refundId, amount, reason, RefundRecordOutcome.Requested, now, Comment: comment);
            return (order with { Refunds = [.. order.Refunds, record], UpdatedAt = now }, []);
        }, cancellationToken);

        if (written is null)
        {
            return new Claim.Refused(new OperationResult.NotFound());
        }

        return claim ?? new Claim.Claimed(written, record!);
    }

    private async Task<OperationResult> SendAsync(Order order, RefundRecord refund)
    {
        var ops = Operations(order)!;
        ProviderRefundResult result;
        try
        {
            // Not tied to the caller's cancellation: a merchant who hangs up must not leave a refund half sent. The
            // provider client's own timeouts bound the call.
            result = await ops.RefundAsync(order, new RefundRequest(refund.RefundId, refund.AmountMinor, refund.Reason, refund.Comment), CancellationToken.None);
        }
        catch (ProviderException ex) when (ex.NotSent)
        {
            // It never reached the provider: take the claim back, so the same request can be sent again.
            logger.LogWarning("Refund {RefundId} of order {OrderId} was not sent to {Provider} ({Failure}); its claim is taken back",
                refund.RefundId, order.Id, order.Provider, ex.Failure);
            var released = await TryWriteAsync(order.Id, current => Release(current, refund.RefundId));
            return new OperationResult.ProviderFailed(released ?? order, ex);
        }
        catch (ProviderException ex) when (ex.Failure == ProviderFailure.Rejected)
        {
            logger.LogWarning("{Provider} refused refund {RefundId} of order {OrderId}: {StatusCode}", order.Provider, refund.RefundId, order.Id, ex.StatusCode);
            var failed = await TryWriteAsync(order.Id, current => Settle(current, refund.RefundId, new ProviderRefundResult(null, RefundOutcome.Failed, ex.ProviderCode, ex.Message)));
            return new OperationResult.ProviderFailed(failed ?? order, ex);
        }
        catch (ProviderException ex)
        {
            // It may have reached the provider: it is never sent again; it stays requested until the provider's records
            // settle it (the same request after the lease, or the sweep).
            logger.LogWarning("Refund {RefundId} of order {OrderId} at {Provider}: {Failure} {StatusCode}; the outcome is unknown until the provider is read",
                refund.RefundId, order.Id, order.Provider, ex.Failure, ex.StatusCode);
            return new OperationResult.RefundInFlight(order, refund);
        }

        var settled = await TryWriteAsync(order.Id, current => Settle(current, refund.RefundId, result));
        return settled is null ? new OperationResult.RefundInFlight(order, refund) : Answer(settled, refund.RefundId);
    }

    /// <summary>Settles a refund whose answer was lost from the provider's records, without sending it again.</summary>
    private async Task<OperationResult> CheckAsync(Order order, RefundRecord refund)
    {
        ProviderRefundResult? found;
        try
        {
            found = await Operations(order)!.FindRefundAsync(order, refund, CancellationToken.None);
        }
        catch (ProviderException ex)
        {
            logger.LogWarning("Refund {RefundId} of order {OrderId}: {Provider} could not be read ({Failure}); asking again later",
                refund.RefundId, order.Id, order.Provider, ex.Failure);
            return new OperationResult.RefundInFlight(order, refund);
        }

        Order? settled;
        if (found is null)
        {
            logger.LogError("Refund {RefundId} of order {OrderId}: the answer was lost and {Provider}'s records cannot tell whether it went through; marked unknown for review",
                refund.RefundId, order.Id, order.Provider);
            settled = await TryWriteAsync(order.Id, current => MarkUnknown(current, refund.RefundId));
        }
        else
        {
            logger.LogInformation("Refund {RefundId} of order {OrderId}: {Provider}'s records say {Outcome}", refund.RefundId, order.Id, order.Provider, found.Outcome);
            settled = await TryWriteAsync(order.Id, current => Settle(current, refund.RefundId, found));
        }

        return settled is null ? new OperationResult.RefundInFlight(order, refund) : Answer(settled, refund.RefundId);
    }

    private static OperationResult Answer(Order order, string refundId) =>
        order.Refunds.FirstOrDefault(r => r.RefundId == refundId) is { Outcome: RefundRecordOutcome.Requested } still
            ? new OperationResult.RefundInFlight(order, still)
            : new OperationResult.Done(order);

    /// <summary>
    /// Writes a refund's settlement. The money has moved (or not) at the provider by now: this write must not turn into an
    /// error for the caller. When it cannot be made (contention, storage down), the refund stays requested and the sweep
    /// settles it from the provider's records; null then.
    /// </summary>
    private async Task<Order?> TryWriteAsync(string orderId, Func<Order, (Order, IReadOnlyList<PaymentEvent>)?> decide)
    {
        try
        {
            return await payments.UpdateAsync(orderId, decide, CancellationToken.None);
        }
#pragma warning disable CA1031 // Whatever failed, the refund's record stays requested and the sweep settles it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.LogError(ex, "Order {OrderId}: a refund's outcome could not be written; the refund sweep settles it from the provider's records", orderId);
            return null;
        }
    }

    private static (Order, IReadOnlyList<PaymentEvent>)? Release(Order order, string refundId) =>
        order.Refunds.Any(r => r.RefundId == refundId && r.Outcome == RefundRecordOutcome.Requested)
            ? (order with { Refunds = order.Refunds.Where(r => r.RefundId != refundId).ToList() }, [])
            : null;

    private (Order, IReadOnlyList<PaymentEvent>)? MarkUnknown(Order order, string refundId)
    {
        var index = IndexOfRequested(order, refundId);
        if (index < 0)
        {
            return null;
        }

        var refunds = order.Refunds.ToList();
        refunds[index] = refunds[index] with
        {
            Outcome = RefundRecordOutcome.Unknown,
            FailureReason = "the provider's answer was lost and its records cannot tell whether this refund went through; check at the provider",
        };
        return (order with { Refunds = refunds, UpdatedAt = clock.GetUtcNow() }, []);
    }

    private (Order, IReadOnlyList<PaymentEvent>)? Settle(Order order, string refundId, ProviderRefundResult result)
    {
        var index = IndexOfRequested(order, refundId);
        if (index < 0)
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
        var now = clock.GetUtcNow();
        var updated = order with { Refunds = refunds, UpdatedAt = now };
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

        var moved = updated with
        {
            Status = next,
            History = [.. order.History, new StatusTransition(order.Status, next, now, TransitionSource.Api, result.ProviderStatus, null)],
        };
        return (moved, [PaymentEvent.ForTransition(order, moved, now)]);
    }

    private static int IndexOfRequested(Order order, string refundId)
    {
        for (var i = 0; i < order.Refunds.Count; i++)
        {
            if (order.Refunds[i].RefundId == refundId)
            {
                return order.Refunds[i].Outcome == RefundRecordOutcome.Requested ? i : -1;
            }
        }

        return -1;
    }

    private TimeSpan RetryAfter(RefundRecord inFlight)
    {
        // A refund in flight for a few seconds is on its way; one in flight for longer waits for its lease to end.
        var age = clock.GetUtcNow() - inFlight.RequestedAt;
        return age < TimeSpan.FromSeconds(10) ? BusyRetryAfter : RefundRules.SendLease - age + TimeSpan.FromSeconds(1);
    }

    private static RefundRecordOutcome? Outcome(Order order, string refundId) => order.Refunds.FirstOrDefault(r => r.RefundId == refundId)?.Outcome;

    private IPaymentOperations? Operations(Order order) => providers.Capable<IPaymentOperations>(order.Provider, ProviderCapabilities.Refund);
}
