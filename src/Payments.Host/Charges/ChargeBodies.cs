using Payments.Core.Orders;

namespace Payments.Host.Charges;

/// <summary>The body of <c>POST /api/orders/{orderId}/upsells</c>.</summary>
public sealed record UpsellBody
{
    public IReadOnlyList<OrderItemRequest?>? Items { get; init; }
}

/// <summary>The body of <c>POST /api/orders/{orderId}/recurring-charges</c>; <c>runAt</c> is an ISO 8601 date-time with an offset.</summary>
public sealed record RecurringChargeBody
{
    public string? Amount { get; init; }
    public IReadOnlyList<OrderItemRequest?>? Items { get; init; }
    public string? RunAt { get; init; }
}
