namespace Payments.Host.Orders;

/// <summary>The body of <c>POST /api/orders/{orderId}/refunds</c>; an empty body refunds everything left.</summary>
public sealed record RefundBody
{
    public string? Amount { get; init; }
    public string? Reason { get; init; }
    public string? Comment { get; init; }
}
