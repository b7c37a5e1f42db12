using Payments.Core.Charges;
using Payments.Core.Orders;
using Payments.Core.Validation;

namespace Payments.Core.Providers;

/// <summary>
/// Follow-up charges on a paid order: one-click upsells (<see cref="ProviderCapabilities.Upsell"/>) and recurring
/// charges (<see cref="ProviderCapabilities.Recurring"/>). A provider implements the ones its capabilities claim.
/// </summary>
/// <remarks>
/// A charge call either returns a result or throws <see cref="ProviderException"/>. The charge flow then decides from
/// <see cref="ChargesAreIdempotent"/> and <see cref="ProviderException.NotSent"/> whether the call may be repeated:
/// a provider without an idempotency key (NEXT) is never asked twice for the same charge when the first call may have
/// reached it; the charge becomes <see cref="ChargeStatus.Unknown"/> instead.
/// </remarks>
public interface IChargeOperations
{
    /// <summary>
    /// True when repeating a charge call with the same <see cref="ChargeRecord.ChargeId"/> cannot charge twice (the
    /// provider takes an idempotency key derived from it).
    /// </summary>
    bool ChargesAreIdempotent { get; }

    /// <summary>The provider's own limits on a charge of this order, as issues (422 unless malformed). No I/O.</summary>
    IEnumerable<ValidationIssue> ValidateCharge(Order order, ChargeDraft draft);

    /// <summary>Charges an upsell's lines to the order's original payment method.</summary>
    Task<ProviderChargeResult> ChargeUpsellAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken);

    /// <summary>Charges a recurring payment (a renewal, or a saved-card payment).</summary>
    Task<ProviderChargeResult> ChargeRecurringAsync(Order order, ChargeRecord charge, CancellationToken cancellationToken);
}

/// <summary>A charge that passed the general validation, before it is written.</summary>
/// <param name="Items">The lines; empty for a recurring charge without items.</param>
/// <param name="Cycle">The billing cycle for an automatic subscription renewal; null for charges asked through the API.</param>
public sealed record ChargeDraft(ChargeKind Kind, long AmountMinor, IReadOnlyList<OrderItem> Items, DateTimeOffset? RunAt, int? Cycle = null);

public enum ChargeOutcome
{
    Succeeded,

    /// <summary>The provider refused or declined the charge: nothing was charged.</summary>
    Failed,

    /// <summary>The provider took the request but has not decided (or says something we cannot read): needs review.</summary>
    Undecided,
}

/// <param name="ProviderReference">The provider's id of what it charged (an order number, a checkout id).</param>
/// <param name="ProviderStatus">The provider's own status word, kept for support.</param>
/// <param name="Reason">Why it failed or is undecided, in the provider's words.</param>
public sealed record ProviderChargeResult(ChargeOutcome Outcome, string? ProviderReference, string? ProviderStatus, string? Reason = null);
