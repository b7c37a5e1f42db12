using System.Text.Json.Serialization;
using Payments.Core.Orders;

namespace Payments.Core.Charges;

/// <summary>What a follow-up charge is for.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChargeKind>))]
public enum ChargeKind
{
    /// <summary>A one-click upsell: more lines charged to the order's original payment method.</summary>
    [JsonStringEnumMemberName("upsell")] Upsell,

    /// <summary>A recurring charge (a subscription renewal, or a saved-card payment).</summary>
    [JsonStringEnumMemberName("recurring")] Recurring,
}

/// <summary>
/// Where a charge stands. <c>queued → processing → succeeded | failed</c>; <c>unknown</c> when a provider call may
/// have happened without us hearing the answer (needs review, never charged again automatically).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChargeStatus>))]
public enum ChargeStatus
{
    /// <summary>Accepted and written; its message is on the queue (or will be sent again by the sweep).</summary>
    [JsonStringEnumMemberName("queued")] Queued,

    /// <summary>Written just before the provider call. Seen again by a later delivery, it means that delivery died mid-call.</summary>
    [JsonStringEnumMemberName("processing")] Processing,

    [JsonStringEnumMemberName("succeeded")] Succeeded,
    [JsonStringEnumMemberName("failed")] Failed,

    /// <summary>The provider may or may not have charged: a human checks (event <c>charge.unknown</c>).</summary>
    [JsonStringEnumMemberName("unknown")] Unknown,
}

/// <summary>
/// A follow-up charge on an order (README: Events, webhooks and charges), kept on the order itself so that it is written under the order's ETag
/// together with its events.
/// </summary>
/// <param name="ChargeId">Our id (<c>chg_</c> + 32 hex digits); the queue message's MessageId.</param>
/// <param name="AmountMinor">What is charged, in minor units of the order's currency.</param>
/// <param name="Items">The lines charged (upsells always; recurring charges optionally).</param>
/// <param name="RunAt">When it is due (a scheduled message); null means at once.</param>
/// <param name="Cycle">For the automatic subscription chain: the billing cycle this charge pays (2 is the first renewal).</param>
/// <param name="Fingerprint">Of the request that created it, so the same Idempotency-Key with another body is refused.</param>
/// <param name="ProviderReference">The provider's id of what it charged (NEXT order number, checkout id).</param>
public sealed record ChargeRecord(
    string ChargeId,
    ChargeKind Kind,
    long AmountMinor,
    IReadOnlyList<OrderItem> Items,
    ChargeStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? RunAt = null,
    int? Cycle = null,
    string? Fingerprint = null,
    string? ProviderReference = null,
    string? ProviderStatus = null,
    string? FailureReason = null)
{
    /// <summary>Succeeded, failed and unknown are not worked on again automatically.</summary>
    public bool IsSettled => Status is ChargeStatus.Succeeded or ChargeStatus.Failed or ChargeStatus.Unknown;

    /// <summary>When the charge is due: <see cref="RunAt"/>, else when it was accepted.</summary>
    public DateTimeOffset DueAt => RunAt ?? CreatedAt;
}
