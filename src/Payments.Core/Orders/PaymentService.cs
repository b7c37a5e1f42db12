using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Payments.Core.Charges;
using Payments.Core.Events;
using Payments.Core.Providers;

namespace Payments.Core.Orders;

/// <summary>
/// The order flow: open a payment at a provider, and settle it from what the provider says. Every status
/// change goes through <see cref="OrderTransitions"/> and is written with its event in one ETag-guarded
/// transaction; a lost race re-reads and decides again. After each commit the <see cref="IOrderChangeObserver"/> (if
/// any) publishes the change's events and enqueues its new charges.
/// </summary>
public sealed partial class PaymentService(
    ProviderCatalog providers,
    IOrderStore orders,
    IOrderLookups lookups,
    IPaymentLinks links,
    TimeProvider clock,
    ILogger<PaymentService> logger,
    IOrderChangeObserver? observer = null)
{
    /// <summary>An idempotency key whose order row never appeared is taken over after this long.</summary>
    public static readonly TimeSpan AbandonedClaimAge = TimeSpan.FromMinutes(2);

    private const int MaxWriteAttempts = 12;

    // Concurrent confirmations of one order on this instance share one provider call (providers rate-limit;
    // NEXT allows 4 requests/s). Across instances the ETag guard keeps the outcome right.
    private readonly ConcurrentDictionary<string, Lazy<Task<Order>>> _inFlight = new(StringComparer.Ordinal);

    public async Task<CreateOrderResult> CreateAsync(OrderDraft draft, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (!providers.TryGet(draft.Provider, out var provider))
        {
            throw new InvalidOperationException($"Provider '{draft.Provider}' is not registered.");
        }

        var now = clock.GetUtcNow();
        var fingerprint = OrderFingerprint.Of(draft);
        var claim = new IdempotencyRecord(idempotencyKey, fingerprint, NewOrderId(now), now);
        var existing = await lookups.TryClaimIdempotencyKeyAsync(claim, cancellationToken);
        if (existing is not null)
        {
            if (!string.Equals(existing.Fingerprint, fingerprint, StringComparison.Ordinal))
            {
                return new CreateOrderResult.KeyReused(existing.OrderId);
            }

            var stored = await orders.GetAsync(existing.OrderId, cancellationToken);
            if (stored is null && now - existing.CreatedAt < AbandonedClaimAge)
            {
                return new CreateOrderResult.InProgress(existing.OrderId);
            }

            if (stored is not null)
            {
                if (!stored.Order.AwaitingProviderSession)
                {
                    return new CreateOrderResult.Replayed(stored.Order);
                }

                // The order row is there but not its payment session: still opening, or cut off (e.g. by a storage
                // outage) after the row was written. Past the takeover age it gets a definite answer.
                return now - stored.Order.CreatedAt < AbandonedClaimAge
                    ? new CreateOrderResult.InProgress(existing.OrderId)
                    : await ResolveAbandonedCreateAsync(provider, stored, TransitionSource.Api, cancellationToken);
            }

            // The first request claimed the key and died before writing its order: finish its work.
            claim = existing;
            logger.LogWarning("Taking over abandoned idempotency claim for order {OrderId}", existing.OrderId);
        }

        var order = draft.ToOrder(claim.OrderId, now);
        var inserted = await orders.TryInsertAsync(order, cancellationToken);
        if (inserted is null)
        {
            // "Exists already" after the storage client's retry may be this very insert, whose first answer was lost (a
            // storage hiccup). An order id from this request's own claim is written by no one else for the takeover age,
            // so its row, made at this request's instant, is ours to open; a taken-over claim's row may be a rival's.
            var row = existing is null ? await orders.GetAsync(order.Id, cancellationToken) : null;
            if (row is null || !row.Order.AwaitingProviderSession || row.Order.CreatedAt != order.CreatedAt)
            {
                return new CreateOrderResult.InProgress(order.Id);
            }

            logger.LogInformation("Order {OrderId}: the insert's answer was lost; the row is this request's own", order.Id);
            inserted = row;
        }

        // The row and the ETag the insert answered with: the session is recorded by a replace guarded by that ETag, with
        // no read in between (claim, insert, replace: three round trips).
        return await OpenSessionAsync(provider, inserted, cancellationToken);
    }

    /// <summary>
    /// Settles an order whose create was cut off after its row was written and before its payment session was recorded,
    /// once that is longer ago than <see cref="AbandonedClaimAge"/> (the reconciliation timer, so that nothing stays in
    /// progress when the storefront never retries). Null when there is no such order or it does not need this.
    /// </summary>
    public async Task<CreateOrderResult?> ResolveAbandonedCreateAsync(string orderId, TransitionSource source, CancellationToken cancellationToken)
    {
        var stored = await orders.GetAsync(orderId, cancellationToken);
        if (stored is null || !stored.Order.AwaitingProviderSession || clock.GetUtcNow() - stored.Order.CreatedAt < AbandonedClaimAge)
        {
            return null;
        }

        if (!providers.TryGet(stored.Order.Provider, out var provider))
        {
            throw new InvalidOperationException($"Order {orderId} names provider '{stored.Order.Provider}', which is not registered.");
        }

        return await ResolveAbandonedCreateAsync(provider, stored, source, cancellationToken);
    }

    /// <summary>
    /// Where the provider's create is idempotent (<see cref="IPaymentProvider.SessionCreationIsIdempotent"/>), asks it
    /// again: it answers with the session the first attempt opened, if it did. Otherwise a second create could open a
    /// second payment, so the order is failed: its redirect URL never reached the storefront, so no shopper can have paid.
    /// </summary>
    private async Task<CreateOrderResult> ResolveAbandonedCreateAsync(IPaymentProvider provider, StoredOrder stored, TransitionSource source, CancellationToken cancellationToken)
    {
        var order = stored.Order;
        if (provider.SessionCreationIsIdempotent)
        {
            logger.LogWarning("Order {OrderId}: its create was cut off before the payment session was recorded; asking {Provider} again (idempotent create)",
                order.Id, provider.Name);
            return await OpenSessionAsync(provider, stored, cancellationToken);
        }

        var reason = $"The request that opened this order was cut off before its payment session was recorded, so its redirect URL never reached "
            + $"the storefront and no shopper can have paid; {provider.Name} cannot be asked to open the same session again. Use a new idempotency key.";
        var after = await UpdateExistingAsync(stored, current => current.AwaitingProviderSession
            ? Transition(current, PaymentStatus.Failed, source, providerStatus: null, reason)
            : null, cancellationToken);
        if (after.AwaitingProviderSession)
        {
            return new CreateOrderResult.InProgress(order.Id);
        }

        if (after.Status == PaymentStatus.Failed && after.RedirectUrl is null)
        {
            logger.LogWarning("Order {OrderId}: its create was cut off before the payment session was recorded; failed ({Provider} cannot be asked again)",
                order.Id, provider.Name);
            return new CreateOrderResult.Abandoned(after);
        }

        // The first request finished meanwhile.
        return new CreateOrderResult.Replayed(after);
    }

    /// <summary>
    /// Opens the provider session of an order whose row is written, and records where to send the shopper. The first
    /// write uses <paramref name="stored"/> as read or inserted (a lost race reads again, see <see cref="UpdateAsync(StoredOrder, Func{Order, ValueTuple{Order, IReadOnlyList{PaymentEvent}}?}, CancellationToken)"/>).
    /// </summary>
    private async Task<CreateOrderResult> OpenSessionAsync(IPaymentProvider provider, StoredOrder stored, CancellationToken cancellationToken)
    {
        var order = stored.Order;
        ProviderSession session;
        try
        {
            session = await provider.CreateSessionAsync(
                new ProviderSessionRequest(order, links.ReturnUrl(order), links.CancelUrl(order), links.WebhookUrl(provider.Name)),
                cancellationToken);
        }
        catch (ProviderException ex)
        {
            logger.LogWarning("Provider {Provider} could not open order {OrderId}: {Failure} {StatusCode}",
                provider.Name, order.Id, ex.Failure, ex.StatusCode);
            var failed = await UpdateExistingAsync(stored, current => current.AwaitingProviderSession
                ? Transition(current, PaymentStatus.Failed, TransitionSource.Api, providerStatus: null, reason: ex.Message)
                : null, cancellationToken);
            return failed.AwaitingProviderSession || failed.RedirectUrl is null
                ? new CreateOrderResult.ProviderFailed(failed, ex)
                : new CreateOrderResult.Created(failed);
        }

        // The lookup is written before the redirect URL is recorded, so a notification naming only the reference finds
        // the order from the moment a shopper can pay. A reference another order holds already means the provider (or a
        // sandbox) handed it out twice: this session is never handed out, so no shopper can pay on it.
        if (session.ProviderReference is { } reference && provider.NeedsReferenceLookup
            && await lookups.LinkProviderReferenceAsync(provider.Name, reference, order.Id, cancellationToken) is { } holder)
        {
            logger.LogWarning(
                "Provider reference conflict: {Provider} opened order {OrderId} with reference {ProviderReference}, which is already linked to order {LinkedOrderId}; "
                + "the session is not handed out and the order is failed",
                provider.Name, order.Id, reference, holder);
            var reason = $"{provider.Name} opened this order's payment with a reference that already belongs to another order; "
                + "the payment page was not handed out, so no shopper can have paid. Use a new idempotency key.";
            var refused = await UpdateExistingAsync(stored, current => current.AwaitingProviderSession
                ? Transition(current with { ProviderReference = current.ProviderReference ?? reference }, PaymentStatus.Failed, TransitionSource.Api, providerStatus: null, reason)
                : null, cancellationToken);
            return new CreateOrderResult.ReferenceConflict(refused, reference, holder);
        }

        // Only onto an order still waiting for its session: one failed meanwhile (its create taken for abandoned)
        // must never get a payment page.
        var opened = await UpdateExistingAsync(stored, current => current.AwaitingProviderSession
            ? (current with
            {
                ProviderReference = session.ProviderReference ?? current.ProviderReference,
                RedirectUrl = session.RedirectUrl,
                ExpiresAt = session.ExpiresAt,
                ProviderData = Merge(current.ProviderData, session.ProviderData),
                UpdatedAt = clock.GetUtcNow(),
            }, [])
            : null, cancellationToken);
        if (opened.RedirectUrl is null)
        {
            logger.LogWarning("Order {OrderId} was failed while {Provider} opened its session; the session is not handed out", order.Id, provider.Name);
            return new CreateOrderResult.Abandoned(opened);
        }

        logger.LogInformation("Order {OrderId} opened at {Provider}", order.Id, provider.Name);
        return new CreateOrderResult.Created(opened);
    }

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

    /// <summary>
    /// Read, decide, write with the ETag; on a lost race read again and decide again. The decision returns
    /// null when there is nothing to write. Returns null when there is no such order.
    /// </summary>
    public Task<Order?> UpdateAsync(string orderId, Func<Order, (Order Updated, IReadOnlyList<PaymentEvent> Events)?> decide, CancellationToken cancellationToken) =>
        UpdateAsync(orderId, known: null, decide, cancellationToken);

    /// <summary>
    /// As <see cref="UpdateAsync(string, Func{Order, ValueTuple{Order, IReadOnlyList{PaymentEvent}}?}, CancellationToken)"/>, for a
    /// caller that has the order as it was read (or inserted) just now: the first decision is made on it and written with
    /// its ETag, without reading it again; a lost race (412) reads again and decides again.
    /// </summary>
    public async Task<Order> UpdateAsync(StoredOrder current, Func<Order, (Order Updated, IReadOnlyList<PaymentEvent> Events)?> decide, CancellationToken cancellationToken) =>
        await UpdateAsync(current.Order.Id, current, decide, cancellationToken)
            ?? throw new InvalidOperationException($"Order {current.Order.Id} disappeared while being updated.");

    private async Task<Order?> UpdateAsync(string orderId, StoredOrder? known, Func<Order, (Order Updated, IReadOnlyList<PaymentEvent> Events)?> decide, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = attempt == 1 && known is not null ? known : await orders.GetAsync(orderId, cancellationToken);
            if (stored is null)
            {
                return null;
            }

            var decision = decide(stored.Order);
            if (decision is not { } change)
            {
                return stored.Order;
            }

            var written = await orders.TryReplaceAsync(stored, change.Updated, change.Events, cancellationToken);
            if (written is not null)
            {
                await NotifyAsync(stored.Order, written.Order, change.Events);
                return written.Order;
            }

            if (attempt >= MaxWriteAttempts)
            {
                throw new OrderContentionException(orderId, MaxWriteAttempts);
            }

            // Many writers on one order: back off a little, with jitter, so they stop colliding in step.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 10 + (20 * attempt))), cancellationToken);
        }
    }

    // The change is committed: nothing after this line may turn it into a failure for the caller. Not tied to the
    // caller's cancellation either (a client that hangs up must not stop the publish); the observer bounds itself.
    private async Task NotifyAsync(Order before, Order after, IReadOnlyList<PaymentEvent> events)
    {
        if (observer is null)
        {
            return;
        }

        try
        {
            await observer.OnCommittedAsync(before, after, events, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Order {OrderId}: publishing after the commit failed; the sweeps will send it", after.Id);
        }
    }

    private async Task<Order> UpdateExistingAsync(string orderId, Func<Order, (Order Updated, IReadOnlyList<PaymentEvent> Events)?> decide, CancellationToken cancellationToken) =>
        await UpdateAsync(orderId, decide, cancellationToken)
            ?? throw new InvalidOperationException($"Order {orderId} disappeared while being updated.");

    private Task<Order> UpdateExistingAsync(StoredOrder current, Func<Order, (Order Updated, IReadOnlyList<PaymentEvent> Events)?> decide, CancellationToken cancellationToken) =>
        UpdateAsync(current, decide, cancellationToken);

    private static bool FactsChanged(Order a, Order b) =>
        a.ProviderReference != b.ProviderReference || a.ProviderStatus != b.ProviderStatus
        || a.ProviderData.Count != b.ProviderData.Count
        || a.ProviderData.Any(kv => !b.ProviderData.TryGetValue(kv.Key, out var v) || v != kv.Value);

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string>? b)
    {
        var merged = new Dictionary<string, string>(a, StringComparer.Ordinal);
        foreach (var (k, v) in b ?? new Dictionary<string, string>())
        {
            merged[k] = v;
        }

        return merged;
    }

    /// <summary>Time-ordered, unguessable, and valid in every table key and URL: "ord_" + 32 hex digits.</summary>
    public static string NewOrderId(DateTimeOffset now) => $"ord_{Guid.CreateVersion7(now):N}";

    public static bool IsOrderId(string? text) =>
        text is { Length: 36 } && text.StartsWith("ord_", StringComparison.Ordinal) && !text.AsSpan(4).ContainsAnyExcept(LowerHex);

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
}
