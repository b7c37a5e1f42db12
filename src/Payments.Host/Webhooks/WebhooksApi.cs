using Microsoft.AspNetCore.Http.HttpResults;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Host.Api;
using Payments.Storage.Tables;

namespace Payments.Host.Webhooks;

public sealed record WebhookAck(string Status, string? OrderId = null);

/// <summary>
/// <c>GET|POST /api/webhooks/{provider}</c>: server-to-server notifications. Authenticated where the provider
/// signs, and in every case only a trigger: the payment is re-read from the provider's API.
/// </summary>
public static class WebhooksApi
{
    /// <summary>How long we work before acknowledging (Mangopay wants a 200 within 2 s). The work goes on after.</summary>
    public static readonly TimeSpan AnswerWithin = TimeSpan.FromMilliseconds(1500);

    /// <summary>A storage failure this recent makes a settlement still running at <see cref="AnswerWithin"/> a 503 (see below).</summary>
    public static readonly TimeSpan StorageTroubleWindow = TimeSpan.FromSeconds(10);

    /// <summary>The most a settlement started by a webhook may take once the answer has gone.</summary>
    public static readonly TimeSpan SettleBudget = TimeSpan.FromSeconds(60);

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/webhooks/{provider}", [HttpMethods.Get, HttpMethods.Post], HandleAsync).WithName("ProviderWebhook")
            .ProducesProblems(StatusCodes.Status400BadRequest, "webhook-malformed", "bad-request")
            .ProducesProblems(StatusCodes.Status401Unauthorized, "webhook-unauthenticated")
            .ProducesProblems(StatusCodes.Status404NotFound, "not-found")
            .ProducesProblems(StatusCodes.Status413PayloadTooLarge, "body-too-large")
            .ProducesProblems(StatusCodes.Status503ServiceUnavailable, "provider-unavailable", "storage-unavailable");
        return app;
    }

    public static async Task<Results<Ok<WebhookAck>, ProblemHttpResult, RetryAfterResult>> HandleAsync(
        string provider,
        HttpRequest request,
        ProviderCatalog providers,
        PaymentService payments,
        IOrderStore orders,
        IOrderLookups lookups,
        StorageHealth storage,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (!providers.TryGet(provider, out var p) || p is not IWebhookReceiver receiver || !p.Capabilities.HasFlag(ProviderCapabilities.Webhook))
        {
            return Problems.NotFound("webhook endpoint");
        }

        var (body, unread) = await RequestBody.ReadAsync(request, RequestBody.MaxCallbackBodyBytes, cancellationToken);
        if (body is null)
        {
            return unread!;
        }

        var log = loggers.CreateLogger(typeof(WebhooksApi));
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var reading = receiver.ReadWebhook(new WebhookRequest(request.Method, query, headers, body));
        switch (reading.Verdict)
        {
            case WebhookVerdict.Unauthenticated:
                log.LogWarning("Unauthenticated {Provider} webhook refused: {Detail}", p.Name, reading.Detail);
                return Problems.Problem(StatusCodes.Status401Unauthorized, "webhook-unauthenticated", "The notification's signature is missing or wrong.");
            case WebhookVerdict.Malformed:
                log.LogWarning("Malformed {Provider} webhook refused: {Detail}", p.Name, reading.Detail);
                return Problems.Problem(StatusCodes.Status400BadRequest, "webhook-malformed", "The notification cannot be read.", reading.Detail);
            case WebhookVerdict.Ignored:
                return TypedResults.Ok(new WebhookAck("ignored"));
        }

        // Which order a notification is about, the same rule for every provider:
        // 1. The order id the provider's own data carries (NEXT order events: metadata; Twisto: external_id) wins. An id we
        //    do not have is acknowledged as unknown_order below, never re-routed to an order the provider did not name.
        // 2. Only a reference (Mangopay's RessourceId, NEXT transaction events, Twisto without external_id):
        //    - a provider that keeps a reference lookup (written at create, before the payment page was handed out): the
        //      lookup's order. It is insert-only, and a reference another order already held failed that create, so a
        //      link never moves. Settling re-reads the payment and checks it is that order's;
        //    - NEXT keeps none (its number arrives only with the return): the NEXT order's metadata, read from NEXT.
        string? orderId;
        try
        {
            orderId = PaymentService.IsOrderId(reading.OrderId) ? reading.OrderId
                : reading.ProviderReference is not { } reference ? null
                : p.NeedsReferenceLookup ? await lookups.FindOrderIdAsync(p.Name, reference, cancellationToken)
                : await receiver.FindOrderIdAsync(reading, cancellationToken);
        }
        catch (ProviderException ex)
        {
            log.LogWarning("Could not find the order of a {Provider} webhook {EventId} at {Provider}: {Failure} {StatusCode}",
                p.Name, reading.EventId, p.Name, ex.Failure, ex.StatusCode);
            return receiver.RedeliversOnFailure
                ? Problems.Problem(StatusCodes.Status503ServiceUnavailable, "provider-unavailable", "The payment provider could not confirm the notification now.",
                    "Send it again later.")
                : TypedResults.Ok(new WebhookAck("deferred"));
        }

        var stored = orderId is null ? null : await orders.GetAsync(orderId, cancellationToken);
        if (stored is null || stored.Order.Provider != p.Name)
        {
            // Acknowledged so the provider stops retrying: there is nothing of ours to settle.
            log.LogWarning("{Provider} webhook {EventId} names no order of ours (reference {Reference})", p.Name, reading.EventId, reading.ProviderReference);
            return TypedResults.Ok(new WebhookAck("unknown_order"));
        }

        var evidence = reading.Evidence ?? new ReturnEvidence(reading.ProviderReference, ClaimedOutcome.Unknown);

        // Not tied to this request: if the answer goes out first, the settlement still finishes.
        var budget = new CancellationTokenSource(SettleBudget);
        var settle = payments.SettleAsync(stored, evidence, TransitionSource.Webhook, budget.Token);
        _ = settle.ContinueWith(_ => budget.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        if (await Task.WhenAny(settle, Task.Delay(AnswerWithin, cancellationToken)) != settle)
        {
            _ = settle.ContinueWith(t => log.LogWarning(t.Exception, "Settling order {OrderId} from a {Provider} webhook failed", stored.Order.Id, p.Name),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

            // Still running while storage has just been failing: most likely its retries are waiting out an outage, and
            // an "accepted" now would stop a provider that sends again from sending again. A 503 is safe either way: the
            // settlement goes on, and a repeat of a transition is a no-op.
            if (receiver.RedeliversOnFailure && storage.WasUnavailableWithin(StorageTroubleWindow))
            {
                log.LogWarning("{Provider} webhook for {OrderId}: storage is failing; answering 503 so that it is sent again", p.Name, stored.Order.Id);
                return Problems.StorageUnavailableRetry();
            }

            return TypedResults.Ok(new WebhookAck("accepted", stored.Order.Id));
        }

        try
        {
            var order = await settle;
            return TypedResults.Ok(new WebhookAck(order.Status.ToWire(), stored.Order.Id));
        }
        catch (ProviderException ex)
        {
            // The provider could not confirm now. Where it redelivers, a non-2xx brings the notification back;
            // either way reconciliation settles the order if nothing else does.
            log.LogWarning("Could not confirm {Provider} webhook for {OrderId}: {Failure} {StatusCode}", p.Name, stored.Order.Id, ex.Failure, ex.StatusCode);
            if (!receiver.RedeliversOnFailure)
            {
                return TypedResults.Ok(new WebhookAck("deferred", stored.Order.Id));
            }

            return Problems.Problem(StatusCodes.Status503ServiceUnavailable, "provider-unavailable", "The payment provider could not confirm the notification now.",
                "Send it again later.");
        }
    }
}
