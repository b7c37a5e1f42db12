using System.Text.Json;

namespace Payments.Core.Orders;

/// <summary>The body of <c>POST /api/orders</c> as it arrives on the wire (README: HTTP API). Validated into an <see cref="OrderDraft"/>.</summary>
public sealed record CreateOrderRequest
{
    public string? Provider { get; init; }
    public string? MerchantReference { get; init; }
    public string? Amount { get; init; }
    public string? Currency { get; init; }
    public IReadOnlyList<OrderItemRequest?>? Items { get; init; }
    public CustomerRequest? Customer { get; init; }
    public string? SuccessUrl { get; init; }
    public string? FailureUrl { get; init; }
    public SubscriptionRequest? Subscription { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? ProviderOptions { get; init; }
    public IReadOnlyDictionary<string, string?>? Metadata { get; init; }
}

public sealed record OrderItemRequest
{
    public string? Name { get; init; }
    public string? Sku { get; init; }
    public int? Quantity { get; init; }
    public string? UnitPrice { get; init; }
    public string? VatRate { get; init; }
    public string? Type { get; init; }
}

public sealed record CustomerRequest
{
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Phone { get; init; }
    public AddressRequest? Address { get; init; }
}

public sealed record AddressRequest
{
    public string? Line1 { get; init; }
    public string? Line2 { get; init; }
    public string? City { get; init; }
    public string? PostalCode { get; init; }
    public string? State { get; init; }
    public string? Country { get; init; }
}

public sealed record SubscriptionRequest
{
    public string? Interval { get; init; }
    public int? IntervalCount { get; init; }
}
