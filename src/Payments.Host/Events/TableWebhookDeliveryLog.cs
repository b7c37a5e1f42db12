using Payments.Messaging.Webhooks;
using Payments.Storage.Webhooks;

namespace Payments.Host.Events;

/// <summary>
/// The fan-out's delivery log and failure record, durable in Table Storage (<see cref="TableWebhookDeliveries"/>): a
/// redelivered event is not delivered twice, and failures stay queryable (<c>State eq 'Failed'</c>).
/// </summary>
public sealed class TableWebhookDeliveryLog(TableWebhookDeliveries table, ILogger<TableWebhookDeliveryLog> logger)
    : IWebhookDeliveryLog, IWebhookFailureRecorder
{
    public async Task<WebhookClaim> TryClaimAsync(WebhookDeliveryJob job, TimeSpan lease, CancellationToken cancellationToken) =>
        await table.TryClaimAsync(job.EventId, job.Endpoint, job.Attempt, lease, cancellationToken) switch
        {
            DeliveryClaimResult.Claimed => WebhookClaim.Claimed,
            DeliveryClaimResult.Delivered => WebhookClaim.AlreadyDelivered,
            DeliveryClaimResult.InProgress => WebhookClaim.InProgress,
            _ => WebhookClaim.FailedForGood,
        };

    public Task MarkDeliveredAsync(WebhookDeliveryJob job, int statusCode, CancellationToken cancellationToken) =>
        table.MarkDeliveredAsync(job.EventId, job.Endpoint, job.Attempt, statusCode, cancellationToken);

    public Task ReleaseAsync(WebhookDeliveryJob job, string? error, CancellationToken cancellationToken) =>
        table.ReleaseAsync(job.EventId, job.Endpoint, job.Attempt, error, cancellationToken);

    public async Task RecordAsync(WebhookFailure failure, CancellationToken cancellationToken)
    {
        logger.LogError("Webhook {EventId} to {Endpoint} failed for good after {Attempts} attempt(s): {Outcome} {Status} {Error}",
            failure.EventId, failure.Endpoint, failure.Attempts, failure.Outcome, failure.StatusCode, failure.Error);
        await table.RecordFailureAsync(failure.EventId, failure.Endpoint, failure.Attempts, failure.Outcome.ToString(), failure.StatusCode,
            failure.Error, cancellationToken);
    }
}
