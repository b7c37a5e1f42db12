using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Payments.Core.Orders;
using Payments.Core.Providers;
using Payments.Host.Api;
using Payments.Storage.Tables;

namespace Payments.Host.Webhooks;

/// <summary>
/// <c>GET|POST /api/webhooks/{provider}</c>: server-to-server notifications. Authenticated where the provider
/// signs, and in every case only a trigger: the payment is re-read from the provider's API.
/// </summary>
public static class WebhooksApi
{
    /// <summary>
    /// A storage failure this recent makes a settlement still running at <see cref="PaymentService.NotificationAnswerWithin"/>
    /// a 503 (see <see cref="Answer"/>).
    /// </summary>
    public static readonly TimeSpan StorageTroubleWindow = TimeSpan.FromSeconds(10);

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

    /// <summary>What a webhook handler needs besides the request.</summary>
    public sealed record WebhookServices(
        [FromServices] ProviderCatalog Providers, [FromServices] PaymentService Payments, [FromServices] StorageHealth Storage, [FromServices] ILoggerFactory Loggers);

    public static async Task<Results<Ok<WebhookAck>, ProblemHttpResult, RetryAfterResult>> HandleAsync(
        string provider,
        HttpRequest request,
        [AsParameters] WebhookServices services,
        CancellationToken cancellationToken)
    {
        if (!services.Providers.TryGet(provider, out var p) || p is not IWebhookReceiver receiver || !p.Capabilities.HasFlag(ProviderCapabilities.Webhook))
        {
            return Problems.NotFound("webhook endpoint");
        }

        var (body, unread) = await RequestBody.ReadAsync(request, RequestBody.MaxCallbackBodyBytes, cancellationToken);
        if (body is null)
        {
            return unread!;
        }

        var log = services.Loggers.CreateLogger(typeof(WebhooksApi));
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

        var outcome = await services.Payments.SettleNotificationAsync(p, receiver, reading, cancellationToken);
        return Answer(outcome, p.Name, receiver, services.Storage, log);
    }

    /// <summary>
    /// The answer to a notification. A provider that redelivers on a non-2xx gets a 503 for one we could not confirm, so
    /// that it comes back; one that does not gets a 200 (<c>deferred</c>), and reconciliation settles the order.
    /// </summary>
    private static Results<Ok<WebhookAck>, ProblemHttpResult, RetryAfterResult> Answer(
        NotificationOutcome outcome, string provider, IWebhookReceiver receiver, StorageHealth storage, ILogger log)
    {
        switch (outcome)
        {
            case NotificationOutcome.Settled settled:
                return TypedResults.Ok(new WebhookAck(settled.Status.ToWire(), settled.OrderId));
            case NotificationOutcome.UnknownOrder:
                return TypedResults.Ok(new WebhookAck("unknown_order"));
            case NotificationOutcome.StillSettling still:
                // Still running while storage has just been failing: most likely its retries are waiting out an outage, and
                // an "accepted" now would stop a provider that sends again from sending again. A 503 is safe either way: the
                // settlement goes on, and a repeat of a transition is a no-op.
                if (receiver.RedeliversOnFailure && storage.WasUnavailableWithin(StorageTroubleWindow))
                {
                    log.LogWarning("{Provider} webhook for {OrderId}: storage is failing; answering 503 so that it is sent again", provider, still.OrderId);
                    return Problems.StorageUnavailableRetry();
                }

                return TypedResults.Ok(new WebhookAck("accepted", still.OrderId));
            case NotificationOutcome.ProviderUnavailable unavailable:
                return receiver.RedeliversOnFailure
                    ? Problems.Problem(StatusCodes.Status503ServiceUnavailable, "provider-unavailable", "The payment provider could not confirm the notification now.",
                        "Send it again later.")
                    : TypedResults.Ok(new WebhookAck("deferred", unavailable.OrderId));
            default:
                throw new InvalidOperationException($"Unhandled result {outcome.GetType().Name}");
        }
    }
}
