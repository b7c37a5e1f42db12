namespace Payments.Messaging.Webhooks;

/// <summary>What <see cref="IWebhookDeliveryLog.TryClaimAsync"/> found.</summary>
public enum WebhookClaim
{
    /// <summary>This attempt may deliver (nobody delivered, nobody is delivering).</summary>
    Claimed,

    /// <summary>The event reached the endpoint already: a redelivered event or job must not deliver it again.</summary>
    AlreadyDelivered,

    /// <summary>Another attempt holds a fresh claim and is delivering right now.</summary>
    InProgress,

    /// <summary>The delivery failed for good earlier (recorded by <see cref="IWebhookFailureRecorder"/>).</summary>
    FailedForGood,
}

/// <summary>
/// A durable record per (event, endpoint) that makes the fan-out deliver each event to each endpoint once, however
/// often the broker delivers the event or its jobs (a redelivery after the duplicate detection window, a sweep that
/// publishes an event twice). An attempt claims the pair before it delivers (a claim older than the lease is taken
/// over: its holder died), marks it delivered after a 2xx, and releases it after a retryable failure.
/// </summary>
public interface IWebhookDeliveryLog
{
    Task<WebhookClaim> TryClaimAsync(WebhookDeliveryJob job, TimeSpan lease, CancellationToken cancellationToken);

    Task MarkDeliveredAsync(WebhookDeliveryJob job, int statusCode, CancellationToken cancellationToken);

    /// <summary>The attempt failed but another is scheduled: the next attempt may claim it.</summary>
    Task ReleaseAsync(WebhookDeliveryJob job, string? error, CancellationToken cancellationToken);
}

/// <summary>The default: no record, every attempt may deliver (dedupe is left to the broker and the receivers).</summary>
public sealed class NoWebhookDeliveryLog : IWebhookDeliveryLog
{
    public Task<WebhookClaim> TryClaimAsync(WebhookDeliveryJob job, TimeSpan lease, CancellationToken cancellationToken) => Task.FromResult(WebhookClaim.Claimed);

    public Task MarkDeliveredAsync(WebhookDeliveryJob job, int statusCode, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReleaseAsync(WebhookDeliveryJob job, string? error, CancellationToken cancellationToken) => Task.CompletedTask;
}
