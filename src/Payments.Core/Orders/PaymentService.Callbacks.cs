using Microsoft.Extensions.Logging;
using Payments.Core.Providers;

namespace Payments.Core.Orders;

/// <summary>The two callbacks a provider's payment comes back through: the shopper's return and a webhook.</summary>
public sealed partial class PaymentService
{
    /// <summary>How long a notification is worked on before it is answered (Mangopay wants a 200 within 2 s). The work goes on after.</summary>
    public static readonly TimeSpan NotificationAnswerWithin = TimeSpan.FromMilliseconds(1500);

    /// <summary>The most a settlement started by a notification may take once the answer has gone.</summary>
    public static readonly TimeSpan NotificationSettleBudget = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The shopper's return to an order of <paramref name="provider"/>: read the order, settle it from what the provider's
    /// API says (the return itself is only a hint). When the provider cannot tell us now, the order stays as it is and
    /// the shopper goes on with the status we know rather than to an error page.
    /// </summary>
    /// <remarks>Storage failures (unavailable, order too busy) are thrown: the caller answers a page that repeats the return.</remarks>
    public async Task<ReturnOutcome> SettleReturnAsync(IPaymentProvider provider, string orderId, ReturnEvidence evidence, CancellationToken cancellationToken)
    {
        var stored = await orders.GetAsync(orderId, cancellationToken);
        if (stored is null || stored.Order.Provider != provider.Name)
        {
            return new ReturnOutcome.UnknownOrder();
        }

        try
        {
            return new ReturnOutcome.Known(await SettleAsync(stored, evidence, TransitionSource.Return, cancellationToken));
        }
        catch (ProviderException ex)
        {
            // Reconciliation settles it later.
            logger.LogWarning("Could not confirm return of {OrderId} with {Provider}: {Failure} {StatusCode}",
                orderId, provider.Name, ex.Failure, ex.StatusCode);
            return new ReturnOutcome.Known(stored.Order);
        }
    }

    /// <summary>
    /// An authentic notification (<see cref="WebhookVerdict.Accepted"/>) from <paramref name="receiver"/>: find the order
    /// it names, settle it from what the provider's API says, and answer within <see cref="NotificationAnswerWithin"/>;
    /// a settlement still running then goes on, not tied to <paramref name="cancellationToken"/>, for up to
    /// <see cref="NotificationSettleBudget"/>.
    /// </summary>
    public async Task<NotificationOutcome> SettleNotificationAsync(
        IPaymentProvider provider, IWebhookReceiver receiver, WebhookReading reading, CancellationToken cancellationToken)
    {
        string? orderId;
        try
        {
            orderId = await FindNotifiedOrderIdAsync(provider, receiver, reading, cancellationToken);
        }
        catch (ProviderException ex)
        {
            logger.LogWarning("Could not find the order of a {Provider} webhook {EventId} at {Provider}: {Failure} {StatusCode}",
                provider.Name, reading.EventId, provider.Name, ex.Failure, ex.StatusCode);
            return new NotificationOutcome.ProviderUnavailable(OrderId: null, ex);
        }

        var stored = orderId is null ? null : await orders.GetAsync(orderId, cancellationToken);
        if (stored is null || stored.Order.Provider != provider.Name)
        {
            // Acknowledged so the provider stops retrying: there is nothing of ours to settle.
            logger.LogWarning("{Provider} webhook {EventId} names no order of ours (reference {Reference})", provider.Name, reading.EventId, reading.ProviderReference);
            return new NotificationOutcome.UnknownOrder();
        }

        var evidence = reading.Evidence ?? new ReturnEvidence(reading.ProviderReference, ClaimedOutcome.Unknown);

        // Not tied to this request: if the answer goes out first, the settlement still finishes.
        var budget = new CancellationTokenSource(NotificationSettleBudget);
        var settle = SettleAsync(stored, evidence, TransitionSource.Webhook, budget.Token);
        _ = settle.ContinueWith(_ => budget.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        if (await Task.WhenAny(settle, Task.Delay(NotificationAnswerWithin, cancellationToken)) != settle)
        {
            _ = settle.ContinueWith(t => logger.LogWarning(t.Exception, "Settling order {OrderId} from a {Provider} webhook failed", stored.Order.Id, provider.Name),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return new NotificationOutcome.StillSettling(stored.Order.Id);
        }

        try
        {
            var order = await settle;
            return new NotificationOutcome.Settled(stored.Order.Id, order.Status);
        }
        catch (ProviderException ex)
        {
            // The provider could not confirm now; reconciliation settles the order if nothing else does.
            logger.LogWarning("Could not confirm {Provider} webhook for {OrderId}: {Failure} {StatusCode}", provider.Name, stored.Order.Id, ex.Failure, ex.StatusCode);
            return new NotificationOutcome.ProviderUnavailable(stored.Order.Id, ex);
        }
    }

    /// <summary>
    /// Which order a notification is about, the same rule for every provider:
    /// <list type="number">
    /// <item>The order id the provider's own data carries (NEXT order events: metadata; Twisto: external_id) wins. An id we
    /// do not have is an unknown order, never re-routed to an order the provider did not name.</item>
    /// <item>Only a reference (Mangopay's RessourceId, NEXT transaction events, Twisto without external_id): for a provider
    /// that keeps a reference lookup (written at create, before the payment page was handed out), the lookup's order. It is
    /// insert-only, and a reference another order already held failed that create, so a link never moves. Settling
    /// re-reads the payment and checks it is that order's. NEXT keeps none (its number arrives only with the return): the
    /// NEXT order's metadata, read from NEXT.</item>
    /// </list>
    /// </summary>
    /// <exception cref="ProviderException">The provider was asked and could not answer now.</exception>
    private async Task<string?> FindNotifiedOrderIdAsync(IPaymentProvider provider, IWebhookReceiver receiver, WebhookReading reading, CancellationToken cancellationToken) =>
        IsOrderId(reading.OrderId) ? reading.OrderId
        : reading.ProviderReference is not { } reference ? null
        : provider.NeedsReferenceLookup ? await lookups.FindOrderIdAsync(provider.Name, reference, cancellationToken)
        : await receiver.FindOrderIdAsync(reading, cancellationToken);
}
