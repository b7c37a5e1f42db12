namespace Payments.Core.Providers;

/// <summary>
/// A provider that notifies us server to server (<c>/api/webhooks/{provider}</c>). A notification is a trigger,
/// never a decision: the receiver authenticates it where the provider signs, says which payment it is about,
/// and the flow then re-reads the payment from the provider's API.
/// </summary>
public interface IWebhookReceiver
{
    /// <summary>Pure: authenticates and parses, no I/O. Never throws on bad input; says so in the verdict.</summary>
    WebhookReading ReadWebhook(WebhookRequest request);

    /// <summary>
    /// Whether the provider sends a notification again when we answer non-2xx. When it does, a notification we
    /// could not confirm is answered 503 so it comes back; when it does not (or failing answers get the endpoint
    /// disabled), it is answered 200 and reconciliation settles the order later.
    /// </summary>
    bool RedeliversOnFailure => true;

    /// <summary>
    /// For a provider that keeps no reference lookup (<see cref="IPaymentProvider.NeedsReferenceLookup"/> false): our order
    /// id for a notification that names only the provider's reference, read from the provider's own object (NEXT: the
    /// NEXT order's metadata). Null when the provider does not know the reference or its object names no order of ours.
    /// </summary>
    /// <exception cref="ProviderException">The provider failed or did not answer in time.</exception>
    Task<string?> FindOrderIdAsync(WebhookReading reading, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}

/// <param name="Headers">Request headers, case-insensitive names.</param>
/// <param name="Body">The raw body, exactly as received (signatures are over these bytes).</param>
public sealed record WebhookRequest(
    string Method,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body);

public enum WebhookVerdict
{
    /// <summary>Authentic (or unsigned by design) and about a payment: settle it.</summary>
    Accepted,

    /// <summary>Authentic but not about anything we act on (another event type): acknowledge and do nothing.</summary>
    Ignored,

    /// <summary>A signature was required and is missing or wrong (401).</summary>
    Unauthenticated,

    /// <summary>Cannot be read (400).</summary>
    Malformed,
}

/// <param name="EventId">The provider's id for this notification, when it has one (for logs and dedupe).</param>
/// <param name="ProviderReference">The provider's id of the payment the notification is about.</param>
/// <param name="OrderId">
/// Our order id, when the notification carries it (e.g. in metadata). It wins over the reference lookup, which can be
/// stale (a reference handed out again is still linked to the first order): see PaymentService.SettleNotificationAsync.
/// </param>
/// <param name="Evidence">What the notification claims, passed on to <see cref="IPaymentProvider.ConfirmAsync"/>.</param>
/// <param name="Detail">Why it was ignored or refused, for logs. Never echoes secrets.</param>
public sealed record WebhookReading(
    WebhookVerdict Verdict,
    string? EventId = null,
    string? ProviderReference = null,
    string? OrderId = null,
    ReturnEvidence? Evidence = null,
    string? Detail = null);
