using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Core.Events;
using Payments.Core.Telemetry;

namespace Payments.Messaging.Webhooks;

/// <summary>One delivery of one event to one endpoint: the body of a message on the delivery queue.</summary>
public sealed record WebhookDeliveryJob(string EventId, string Endpoint, int Attempt, string Payload)
{
    /// <summary>The broker's duplicate detection key: a repeated fan-out or retry of the same step is dropped.</summary>
    public string MessageId => $"{EventId}:{Endpoint}:{Attempt}";
}

/// <summary>A delivery that failed for good: a permanent answer, or the last try of the schedule.</summary>
public sealed record WebhookFailure(
    string EventId,
    string Endpoint,
    int Attempts,
    WebhookDeliveryOutcome Outcome,
    int? StatusCode,
    string? Error,
    DateTimeOffset FailedAt);

/// <summary>Keeps failed-for-good deliveries (for support, manual replay). The default only logs; register a durable one.</summary>
public interface IWebhookFailureRecorder
{
    Task RecordAsync(WebhookFailure failure, CancellationToken cancellationToken);
}

/// <summary>The default recorder: an error log line per failure.</summary>
public sealed class LoggingWebhookFailureRecorder(ILogger<LoggingWebhookFailureRecorder> logger) : IWebhookFailureRecorder
{
    public Task RecordAsync(WebhookFailure failure, CancellationToken cancellationToken)
    {
        logger.LogError("Webhook {EventId} to {Endpoint} failed for good after {Attempts} attempt(s): {Outcome} {Status} {Error}",
            failure.EventId, failure.Endpoint, failure.Attempts, failure.Outcome, failure.StatusCode, failure.Error);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Status fan-out to the storefront endpoints in <see cref="WebhookOptions"/>, in two steps that each run as a Service Bus
/// triggered function: (1) for an event, one <see cref="WebhookDeliveryJob"/> per endpoint is sent to the delivery queue;
/// (2) each job makes one signed attempt; a retryable failure re-enqueues the job for the next attempt with
/// <c>ScheduledEnqueueTimeUtc</c> from <see cref="WebhookRetrySchedule"/>, and a permanent failure or the last try is
/// recorded with <see cref="IWebhookFailureRecorder"/>. Jobs carry MessageId = event:endpoint:attempt, so a redelivered
/// event or a repeated step is dropped by duplicate detection; beyond the broker's window, the
/// <see cref="IWebhookDeliveryLog"/> (durable in the host) keeps a second delivery from happening. Receivers still
/// dedupe by <c>webhook-id</c> (the event id): a crash between their 2xx and our record means one more delivery.
/// </summary>
public sealed class WebhookFanOut(
    IMessageSender sender,
    WebhookDeliverer deliverer,
    IOptions<WebhookOptions> options,
    IWebhookFailureRecorder failures,
    IWebhookDeliveryLog deliveries,
    TimeProvider clock,
    ILogger<WebhookFanOut> logger)
{
    /// <summary>Step 1: queues the first attempt for every configured endpoint. Sends nothing when none is configured.</summary>
    public async Task EnqueueAsync(string eventId, string payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        ArgumentNullException.ThrowIfNull(payload);
        var endpoints = options.Value.ParsedEndpoints();
        if (endpoints.Count == 0)
        {
            logger.LogDebug("No webhook endpoints configured; event {EventId} is not delivered", eventId);
            return;
        }

        var jobs = endpoints.Select(e => Message(new WebhookDeliveryJob(eventId, e.Name, 1, payload), scheduledAt: null)).ToList();
        await sender.SendBatchAsync(options.Value.DeliveryQueue, jobs, cancellationToken);
    }

    /// <summary>
    /// Step 2: one attempt. Returns failure (so the broker redelivers) only when the next attempt could not be queued;
    /// every delivery outcome itself is handled here and answers success.
    /// </summary>
    public async Task<HandlerResult> DeliverAsync(WebhookDeliveryJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var endpoint = options.Value.ParsedEndpoints().FirstOrDefault(e => string.Equals(e.Name, job.Endpoint, StringComparison.OrdinalIgnoreCase));
        if (endpoint is null)
        {
            await failures.RecordAsync(new WebhookFailure(job.EventId, job.Endpoint, job.Attempt - 1, WebhookDeliveryOutcome.PermanentFailure, null,
                "the endpoint is no longer configured", clock.GetUtcNow()), cancellationToken);
            return HandlerResult.Success();
        }

        // A claim outlives one attempt (the deliverer's timeout) but not the broker's lock, so a redelivery after a crash takes it over.
        var claim = await deliveries.TryClaimAsync(job, options.Value.Timeout * 2, cancellationToken);
        if (claim != WebhookClaim.Claimed)
        {
            logger.LogInformation("Webhook {EventId} to {Endpoint}: attempt {Attempt} skipped, the delivery is {Claim}", job.EventId, job.Endpoint, job.Attempt, claim);
            return HandlerResult.Success();
        }

        WebhookDeliveryResult result;
        using (var activity = PaymentsTelemetry.Source.StartActivity(PaymentsTelemetry.Spans.WebhookDelivery, ActivityKind.Internal))
        {
            activity?.SetTag(PaymentsTelemetry.Tags.EventId, job.EventId);
            activity?.SetTag(PaymentsTelemetry.Tags.Endpoint, endpoint.Name);
            activity?.SetTag(PaymentsTelemetry.Tags.Attempt, job.Attempt);
            if (activity is { IsAllDataRequested: true } && OrderIdOf(job.Payload) is { } orderId)
            {
                activity.SetTag(PaymentsTelemetry.Tags.OrderId, orderId);
            }

            // The POST below carries this span's traceparent (HttpClient propagates the current span's context).
            result = await deliverer.DeliverAsync(endpoint, job.EventId, System.Text.Encoding.UTF8.GetBytes(job.Payload), "application/json", cancellationToken);
            var outcome = DeliveryOutcomeName(result.Outcome);
            activity?.SetTag(PaymentsTelemetry.Tags.Outcome, outcome);
            if (!result.Delivered)
            {
                activity?.SetStatus(ActivityStatusCode.Error, result.Error);
            }

            PaymentsTelemetry.WebhookDeliveries.Add(1,
                new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Outcome, outcome),
                new KeyValuePair<string, object?>(PaymentsTelemetry.Tags.Attempt, job.Attempt));
        }

        if (result.Outcome == WebhookDeliveryOutcome.Delivered)
        {
            await deliveries.MarkDeliveredAsync(job, (int)result.StatusCode!.Value, cancellationToken);
            return HandlerResult.Success();
        }

        var schedule = options.Value.RetrySchedule();
        var delay = result.Outcome == WebhookDeliveryOutcome.RetryableFailure ? schedule.DelayAfter(job.Attempt, result.RetryAfter) : null;
        if (delay is not { } wait)
        {
            await failures.RecordAsync(new WebhookFailure(job.EventId, job.Endpoint, job.Attempt, result.Outcome, (int?)result.StatusCode, result.Error,
                clock.GetUtcNow()), cancellationToken);
            return HandlerResult.Success();
        }

        var next = job with { Attempt = job.Attempt + 1 };
        await deliveries.ReleaseAsync(job, result.Error, cancellationToken);
        try
        {
            await sender.SendAsync(options.Value.DeliveryQueue, Message(next, clock.GetUtcNow() + wait), cancellationToken);
        }
        catch (MessageSendException ex)
        {
            // Not queued: let the broker redeliver this attempt's message instead (one extra, harmless attempt).
            return HandlerResult.Failure($"could not schedule attempt {next.Attempt}: {ex.Message}");
        }

        logger.LogInformation("Webhook {EventId} to {Endpoint}: attempt {Attempt} failed ({Error}); attempt {Next} in {Delay}",
            job.EventId, job.Endpoint, job.Attempt, result.Error, next.Attempt, wait);
        return HandlerResult.Success();
    }

    /// <summary>The order id of a webhook payload (<see cref="WebhookPayload.ForEvent"/>: <c>data.orderId</c>), for the delivery's span.</summary>
    private static string? OrderIdOf(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("orderId", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string DeliveryOutcomeName(WebhookDeliveryOutcome outcome) => outcome switch
    {
        WebhookDeliveryOutcome.Delivered => "delivered",
        WebhookDeliveryOutcome.RetryableFailure => "retryable_failure",
        _ => "permanent_failure",
    };

    private static OutgoingMessage Message(WebhookDeliveryJob job, DateTimeOffset? scheduledAt) =>
        OutgoingMessage.FromJson(job) with { MessageId = job.MessageId, CorrelationId = job.EventId, Subject = "webhook.delivery", ScheduledEnqueueTimeUtc = scheduledAt };
}

/// <summary>
/// Step 1 as a handler, for the <c>payment-events</c> subscription: the message body is a <see cref="PaymentEvent"/> as
/// JSON (web defaults, camelCase); the storefront receives <see cref="WebhookPayload.ForEvent"/>.
/// </summary>
public sealed class PaymentEventFanOutHandler(WebhookFanOut fanOut, ILogger<PaymentEventFanOutHandler> logger) : IMessageHandler
{
    public async Task<HandlerResult> HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        if (!message.TryReadBody<PaymentEvent>(logger, "a payment event", out var paymentEvent)
            || paymentEvent is null || string.IsNullOrEmpty(paymentEvent.EventId))
        {
            return HandlerResult.Failure("the body is not a payment event (dead-letter it for inspection)");
        }

        await fanOut.EnqueueAsync(paymentEvent.EventId, System.Text.Encoding.UTF8.GetString(WebhookPayload.ForEvent(paymentEvent)), cancellationToken);
        return HandlerResult.Success();
    }
}

/// <summary>Step 2 as a handler, for the delivery queue.</summary>
public sealed class WebhookDeliveryHandler(WebhookFanOut fanOut, ILogger<WebhookDeliveryHandler> logger) : IMessageHandler
{
    public async Task<HandlerResult> HandleAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        message.TryReadBody<WebhookDeliveryJob>(logger, "a webhook delivery job", out var job);
        if (job is null || string.IsNullOrEmpty(job.EventId) || string.IsNullOrEmpty(job.Endpoint) || job.Attempt < 1 || job.Payload is null)
        {
            return HandlerResult.Failure("the body is not a webhook delivery job (dead-letter it for inspection)");
        }

        return await fanOut.DeliverAsync(job, cancellationToken);
    }
}
