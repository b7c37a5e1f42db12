using Payments.Core.Orders;

namespace Payments.Core.Providers;

/// <summary>
/// Follow-up operations on a payment. A provider implements the ones its <see cref="ProviderCapabilities"/>
/// claim (Capture, Refund, Cancel); the API refuses the others with a 422 before calling anything.
/// </summary>
public interface IPaymentOperations
{
    /// <summary>Captures a reserved (authorized) payment in full, and returns the payment's state afterwards.</summary>
    Task<ProviderPaymentState> CaptureAsync(Order order, CancellationToken cancellationToken);

    /// <summary>Refunds part or all of a paid payment.</summary>
    /// <remarks>Called once per refund (the refund service claims it first). Where the provider takes an idempotency
    /// key, derive it from <see cref="RefundRequest.RefundId"/> all the same. A failure before the refund request itself
    /// was sent (a read before it, an open circuit) must be thrown with <see cref="ProviderException.NotSent"/>.</remarks>
    Task<ProviderRefundResult> RefundAsync(Order order, RefundRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Whether <paramref name="refund"/>, sent once and its answer lost, went through, read from the provider's own
    /// records: never by sending a refund again where the provider takes no idempotency key. Called only for the one
    /// refund of the order in flight (the others are settled, see <see cref="Refunds.RefundRules.FromRefundedTotal"/>).
    /// </summary>
    /// <returns>Succeeded (or pending) when the provider shows it, Failed when it certainly shows none, null when its
    /// records cannot tell (the refund is then marked unknown for a human).</returns>
    Task<ProviderRefundResult?> FindRefundAsync(Order order, RefundRecord refund, CancellationToken cancellationToken);

    /// <summary>Cancels a payment that has not been paid (or releases a reservation), and returns its state afterwards.</summary>
    Task<ProviderPaymentState> CancelAsync(Order order, CancellationToken cancellationToken);
}

/// <param name="RefundId">Our id for this refund, stable across retries of the same request.</param>
/// <param name="AmountMinor">How much, in minor units of the order's currency; positive.</param>
/// <param name="Reason">One of <see cref="RefundReasons"/>, or null.</param>
/// <param name="Comment">Free text for the provider, if it takes any.</param>
public sealed record RefundRequest(string RefundId, long AmountMinor, string? Reason, string? Comment);

public static class RefundReasons
{
    public const string Duplicate = "duplicate";
    public const string RequestedByCustomer = "requested_by_customer";
    public const string Fraudulent = "fraudulent";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Duplicate, RequestedByCustomer, Fraudulent };
}

public enum RefundOutcome
{
    Succeeded,

    /// <summary>Accepted by the provider, not final yet.</summary>
    Pending,

    Failed,
}

public sealed record ProviderRefundResult(string? ProviderRefundId, RefundOutcome Outcome, string? ProviderStatus, string? Reason);
