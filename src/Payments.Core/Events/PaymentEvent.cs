using System.Text.Json.Serialization;
using Payments.Core.Charges;
using Payments.Core.Orders;

namespace Payments.Core.Events;

/// <summary>
/// A change worth telling the storefront about. Written to the outbox in the same transaction as the order
/// row, then published to the <c>payment-events</c> topic with MessageId = <see cref="EventId"/>.
/// </summary>
/// <param name="PreviousStatus">The order's status before a status change; null for charge events (the order's status did not change).</param>
/// <param name="Charge">The charge a <c>charge.*</c> event is about; null for status changes.</param>
public sealed record PaymentEvent(
    string EventId,
    string Type,
    string OrderId,
    string MerchantReference,
    string Provider,
    PaymentStatus? PreviousStatus,
    PaymentStatus Status,
    DateTimeOffset OccurredAt,
    OrderSummary Order,
    ChargeSummary? Charge = null)
{
    public const string StatusChanged = "order.status_changed";
    public const string ChargeSucceeded = "charge.succeeded";
    public const string ChargeFailed = "charge.failed";

    /// <summary>A charge whose outcome is unknown (the provider may have charged): needs review.</summary>
    public const string ChargeUnknown = "charge.unknown";

    public static PaymentEvent ForTransition(Order before, Order after, DateTimeOffset at) => new(
        EventId: NewEventId(at),
        Type: StatusChanged,
        OrderId: after.Id,
        MerchantReference: after.MerchantReference,
        Provider: after.Provider,
        PreviousStatus: before.Status,
        Status: after.Status,
        OccurredAt: at,
        Order: OrderSummary.From(after));

    /// <summary>A <c>charge.succeeded</c>, <c>charge.failed</c> or <c>charge.unknown</c> event for a settled charge.</summary>
    public static PaymentEvent ForCharge(Order order, ChargeRecord charge, DateTimeOffset at) => new(
        EventId: NewEventId(at),
        Type: charge.Status switch
        {
            ChargeStatus.Succeeded => ChargeSucceeded,
            ChargeStatus.Failed => ChargeFailed,
            ChargeStatus.Unknown => ChargeUnknown,
            _ => throw new ArgumentException($"Charge {charge.ChargeId} is {charge.Status}: only settled charges have events.", nameof(charge)),
        },
        OrderId: order.Id,
        MerchantReference: order.MerchantReference,
        Provider: order.Provider,
        PreviousStatus: null,
        Status: order.Status,
        OccurredAt: at,
        Order: OrderSummary.From(order),
        Charge: ChargeSummary.From(order, charge));

    private static string NewEventId(DateTimeOffset at) => $"evt_{Guid.CreateVersion7(at):N}";
}

public sealed record OrderSummary(
    string Amount,
    string Currency,
    [property: JsonPropertyName("providerReference")] string? ProviderReference,
    string? FailureReason)
{
    public static OrderSummary From(Order order) =>
        new(order.Amount.ToDecimalString(), order.Amount.Currency.Code, order.ProviderReference, order.FailureReason);
}

/// <summary>The charge a <c>charge.*</c> event is about. <see cref="Amount"/> is a decimal string in the order's currency.</summary>
public sealed record ChargeSummary(
    string ChargeId,
    ChargeKind Kind,
    ChargeStatus Status,
    string Amount,
    string Currency,
    int? Cycle,
    string? ProviderReference,
    string? FailureReason)
{
    public static ChargeSummary From(Order order, ChargeRecord charge) => new(
        charge.ChargeId, charge.Kind, charge.Status, Money.Money.FormatMinor(charge.AmountMinor, order.Amount.Currency.Exponent),
        order.Amount.Currency.Code, charge.Cycle, charge.ProviderReference, charge.FailureReason);
}
