using Payments.Core.Charges;

namespace Payments.Core.Orders;

/// <summary>An order as this service records it. Immutable: every change makes a new value.</summary>
public sealed record Order
{
    public required string Id { get; init; }
    public required string Provider { get; init; }
    public required string MerchantReference { get; init; }
    public required Money.Money Amount { get; init; }
    public IReadOnlyList<OrderItem> Items { get; init; } = [];
    public Customer? Customer { get; init; }
    public required string SuccessUrl { get; init; }
    public required string FailureUrl { get; init; }
    public Subscription? Subscription { get; init; }
    public IReadOnlyDictionary<string, string> ProviderOptions { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public PaymentStatus Status { get; init; } = PaymentStatus.Pending;

    /// <summary>The provider's id for this payment once known (NEXT order number, checkout id, pay-in id).</summary>
    public string? ProviderReference { get; init; }

    /// <summary>The provider's own status word as last read, kept for support.</summary>
    public string? ProviderStatus { get; init; }

    /// <summary>Provider-specific facts worth keeping (NEXT transaction reference, Mangopay ResultCode, …).</summary>
    public IReadOnlyDictionary<string, string> ProviderData { get; init; } = new Dictionary<string, string>();

    public string? RedirectUrl { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public string? FailureReason { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public IReadOnlyList<StatusTransition> History { get; init; } = [];

    /// <summary>Refunds asked for, in the order they were asked.</summary>
    public IReadOnlyList<RefundRecord> Refunds { get; init; } = [];

    /// <summary>Minor units refunded or maybe refunded (requested, pending, succeeded or unknown), never more than the amount.</summary>
    public long RefundedMinor => Refunds.Where(r => r.Outcome != RefundRecordOutcome.Failed).Sum(r => r.AmountMinor);

    /// <summary>Follow-up charges (upsells, recurring charges), in the order they were accepted.</summary>
    public IReadOnlyList<ChargeRecord> Charges { get; init; } = [];

    /// <summary>True while the provider session has not been opened yet (or its outcome is unknown).</summary>
    public bool AwaitingProviderSession => Status == PaymentStatus.Pending && RedirectUrl is null;
}

public sealed record OrderItem(
    string Name,
    string? Sku,
    int Quantity,
    long UnitPriceMinor,
    string? VatRate,
    ItemType Type);

public enum ItemType
{
    Goods,
    Shipment,
    Payment,
    Discount,
    Round,
}

public sealed record Customer(
    string? Email,
    string? FirstName,
    string? LastName,
    string? Phone,
    Address? Address);

public sealed record Address(
    string? Line1,
    string? Line2,
    string? City,
    string? PostalCode,
    string? State,
    string? Country);

public sealed record Subscription(string Interval, int IntervalCount);

public sealed record StatusTransition(
    PaymentStatus From,
    PaymentStatus To,
    DateTimeOffset At,
    TransitionSource Source,
    string? ProviderStatus,
    string? Reason);

/// <summary>
/// Where a refund stands: <c>requested → succeeded | pending | failed</c>, or <c>unknown</c> when the provider's answer was
/// lost and its records could not tell (a human checks; it is never sent again automatically).
/// </summary>
public enum RefundRecordOutcome
{
    /// <summary>
    /// Claimed by the one caller that sends it, written under the order's ETag before the provider call: two refunds cannot
    /// both spend the same remainder, and a duplicate sees it and does not send. At most one per order at a time.
    /// </summary>
    Requested,
    Pending,
    Succeeded,
    Failed,

    /// <summary>The send's answer was lost and the provider's records cannot tell whether it went through. Its amount stays held.</summary>
    Unknown,
}

public sealed record RefundRecord(
    string RefundId,
    long AmountMinor,
    string? Reason,
    RefundRecordOutcome Outcome,
    DateTimeOffset RequestedAt,
    string? ProviderRefundId = null,
    string? ProviderStatus = null,
    string? FailureReason = null,
    string? Comment = null);
