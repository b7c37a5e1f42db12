using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Payments.Core.Charges;
using Payments.Core.Events;
using Payments.Core.Providers;

namespace Payments.Core.Orders;

/// <summary>Settling an order from what its provider says: one shared provider call per order on this instance, then one transition.</summary>
public sealed partial class PaymentService
{
    // Concurrent confirmations of one order on this instance share one provider call (providers rate-limit;
    // NEXT allows 4 requests/s). Across instances the ETag guard keeps the outcome right.
    private readonly ConcurrentDictionary<string, Lazy<Task<Order>>> _inFlight = new(StringComparer.Ordinal);

    /// <summary>
    /// Asks the provider about the order and applies what it says. Orders already in a terminal status are
    /// returned as they are, without a provider call.
    /// </summary>
    /// <returns>The order after the change, or null when there is no such order.</returns>
    public async Task<Order?> SettleAsync(string orderId, ReturnEvidence? evidence, TransitionSource source, CancellationToken cancellationToken)
    {
        var stored = await orders.GetAsync(orderId, cancellationToken);
        return stored is null ? null : await SettleAsync(stored, evidence, source, cancellationToken);
    }

    /// <summary>As <see cref="SettleAsync(string, ReturnEvidence?, TransitionSource, CancellationToken)"/>, for a caller that has just read the order.</summary>
    public async Task<Order> SettleAsync(StoredOrder stored, ReturnEvidence? evidence, TransitionSource source, CancellationToken cancellationToken)
    {
        var orderId = stored.Order.Id;
        if (stored.Order.Status.IsTerminal())
        {
            return stored.Order;
        }

        // The shared call is not tied to the first caller's cancellation: others may be waiting on it. The
        // provider clients' own timeouts bound it.
        var flight = _inFlight.GetOrAdd(orderId, _ => new Lazy<Task<Order>>(() => SettleNowAsync(stored, evidence, source, CancellationToken.None)));
        try
        {
            return await flight.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<Order>>>(orderId, flight));
        }
    }

    private async Task<Order> SettleNowAsync(StoredOrder stored, ReturnEvidence? evidence, TransitionSource source, CancellationToken cancellationToken)
    {
        if (!providers.TryGet(stored.Order.Provider, out var provider))
        {
            throw new InvalidOperationException($"Order {stored.Order.Id} names provider '{stored.Order.Provider}', which is not registered.");
        }

        var state = await provider.ConfirmAsync(stored.Order, evidence, cancellationToken);
        return await ApplyAsync(stored, state, source, cancellationToken);
    }

    /// <summary>Applies a provider's confirmed state to the order (read first).</summary>
    public async Task<Order> ApplyAsync(string orderId, ProviderPaymentState state, TransitionSource source, CancellationToken cancellationToken)
    {
        var stored = await orders.GetAsync(orderId, cancellationToken)
            ?? throw new InvalidOperationException($"Order {orderId} disappeared while being updated.");
        return await ApplyAsync(stored, state, source, cancellationToken);
    }

    /// <summary>
    /// Applies a provider's confirmed state to the order as <paramref name="stored"/> was read: the first write is guarded
    /// by its ETag, so the return and a webhook cost one read and one transaction; a lost race reads again and decides
    /// again.
    /// </summary>
    public async Task<Order> ApplyAsync(StoredOrder stored, ProviderPaymentState state, TransitionSource source, CancellationToken cancellationToken)
    {
        var orderId = stored.Order.Id;
        if (state.ProviderReference is { } reference && stored.Order.ProviderReference is null
            && (!providers.TryGet(stored.Order.Provider, out var provider) || provider.NeedsReferenceLookup)
            && await lookups.LinkProviderReferenceAsync(stored.Order.Provider, reference, orderId, cancellationToken) is { } holder)
        {
            // A reference first learned now, which another order holds already: the provider (or a sandbox) handed it out
            // twice. Which order it pays for is not ours to guess, so nothing is settled on it; the caller answers with the
            // status we know, and reconciliation or a human takes it from there.
            logger.LogWarning(
                "Provider reference conflict: {Provider} reference {ProviderReference} confirmed for order {OrderId} is already linked to order {LinkedOrderId}; "
                + "not settling on it (the order is not changed)",
                stored.Order.Provider, reference, orderId, holder);
            return stored.Order;
        }

        return await UpdateExistingAsync(stored, current =>
        {
            var withFacts = current with
            {
                ProviderReference = current.ProviderReference ?? state.ProviderReference,
                ProviderStatus = state.ProviderStatus ?? current.ProviderStatus,
                ProviderData = Merge(current.ProviderData, state.ProviderData),
            };

            if (state.Status is not { } next)
            {
                if (state.ProviderStatus is not null)
                {
                    logger.LogInformation("Order {OrderId}: provider status {ProviderStatus} means no change", orderId, state.ProviderStatus);
                }

                return FactsChanged(current, withFacts) ? (withFacts with { UpdatedAt = clock.GetUtcNow() }, []) : null;
            }

            var decided = Transition(withFacts, next, source, state.ProviderStatus, state.Reason);
            if (decided is null && FactsChanged(current, withFacts))
            {
                return (withFacts with { UpdatedAt = clock.GetUtcNow() }, []);
            }

            return decided;
        }, cancellationToken);
    }

    private (Order, IReadOnlyList<PaymentEvent>)? Transition(Order current, PaymentStatus next, TransitionSource source, string? providerStatus, string? reason)
    {
        var outcome = OrderTransitions.Decide(current.Status, next);
        if (outcome != TransitionOutcome.Apply)
        {
            if (outcome == TransitionOutcome.Ignored)
            {
                logger.LogInformation("Order {OrderId}: ignoring {Next} from {Source}; it is {Current}", current.Id, next, source, current.Status);
            }

            return null;
        }

        var now = clock.GetUtcNow();
        var updated = current with
        {
            Status = next,
            UpdatedAt = now,
            FailureReason = next is PaymentStatus.Failed or PaymentStatus.Expired ? reason ?? current.FailureReason : current.FailureReason,
            History = [.. current.History, new StatusTransition(current.Status, next, now, source, providerStatus, reason)],
        };

        // A subscription order's first renewal is queued with the payment that starts it, in the same write.
        if (next == PaymentStatus.Succeeded && updated.Subscription is not null && !updated.Charges.Any(c => c.Cycle is not null))
        {
            updated = ChargeRules.WithRenewalQueued(updated, cycle: 2, now);
        }

        return (updated, [PaymentEvent.ForTransition(current, updated, now)]);
    }

    /// <summary>
    /// Moves an order the provider never decided on to <c>expired</c> (reconciliation, once its session is long over).
    /// A no-op when the order moved on meanwhile. Returns the order afterwards, or null when there is no such order.
    /// </summary>
    public Task<Order?> ExpireAsync(string orderId, string reason, CancellationToken cancellationToken) =>
        UpdateAsync(orderId, current => Transition(current, PaymentStatus.Expired, TransitionSource.Reconcile, providerStatus: null, reason), cancellationToken);
}
