using Microsoft.Extensions.Logging;
using Payments.Core.Providers;

namespace Payments.Core.Orders;

/// <summary>Opening an order: the idempotency claim, the row, the provider session, and what a cut-off create leaves behind.</summary>
public sealed partial class PaymentService
{
    /// <summary>An idempotency key whose order row never appeared is taken over after this long.</summary>
    public static readonly TimeSpan AbandonedClaimAge = TimeSpan.FromMinutes(2);

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
    /// write uses <paramref name="stored"/> as read or inserted (a lost race reads again, see the <c>UpdateAsync(StoredOrder, …)</c> overload).
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
}
