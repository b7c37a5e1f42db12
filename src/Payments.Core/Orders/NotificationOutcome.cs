using Payments.Core.Providers;

namespace Payments.Core.Orders;

/// <summary>
/// What became of a provider notification that passed authentication (see
/// <see cref="PaymentService.SettleNotificationAsync"/>). The webhook endpoint answers each one; whether a failure is
/// answered 503 (so the provider sends it again) or acknowledged is its call, since that depends on the provider.
/// </summary>
public abstract record NotificationOutcome
{
    /// <summary>Settled within <see cref="PaymentService.NotificationAnswerWithin"/>: the order's status after it.</summary>
    public sealed record Settled(string OrderId, PaymentStatus Status) : NotificationOutcome;

    /// <summary>
    /// Still settling at <see cref="PaymentService.NotificationAnswerWithin"/>: it goes on (within
    /// <see cref="PaymentService.NotificationSettleBudget"/>) after the answer has gone.
    /// </summary>
    public sealed record StillSettling(string OrderId) : NotificationOutcome;

    /// <summary>The notification names no order of ours (or one of another provider): nothing to settle.</summary>
    public sealed record UnknownOrder : NotificationOutcome;

    /// <summary>
    /// The provider could not tell us now which order it is about (<paramref name="OrderId"/> null) or what its payment
    /// is; the order stays as it is, and reconciliation settles it if nothing else does.
    /// </summary>
    public sealed record ProviderUnavailable(string? OrderId, ProviderException Error) : NotificationOutcome;
}
