using System.Text.Json.Serialization;
using Payments.Core.Orders;

namespace Payments.Core.Events;

/// <summary>
/// A change worth telling the storefront about. Written to the outbox in the same transaction as the order
/// row, then published to the <c>payment-events</c> topic with MessageId = <see cref="EventId"/>.
/// </summary>
public sealed record PaymentEvent(
    string EventId,
    string Type,
    string OrderId,
    string MerchantReference,
    string Provider,
    PaymentStatus? PreviousStatus,
    PaymentStatus Status,
    DateTimeOffset OccurredAt,
    OrderSummary Order)
{
    public const string StatusChanged = "order.status_changed";

    public static PaymentEvent ForTransition(Order before, Order after, DateTimeOffset at) => new(
        EventId: $"evt_{Guid.CreateVersion7(at):N}",
        Type: StatusChanged,
        OrderId: after.Id,
        MerchantReference: after.MerchantReference,
        Provider: after.Provider,
        PreviousStatus: before.Status,
        Status: after.Status,
        OccurredAt: at,
        Order: OrderSummary.From(after));
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
