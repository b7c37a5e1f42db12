namespace Payments.Host.Tests;

/// <summary>
/// <c>GET /api/orders/{orderId}</c> as a storefront reads it (openapi/payments-v1.json, <c>Order</c>). Statuses, sources and
/// kinds stay the wire's strings, so an assertion compares exactly what the API sends; tests of the wire itself read
/// <see cref="JsonObject"/> instead (<see cref="PaymentsApiClient.GetOrderJsonAsync"/>).
/// </summary>
public sealed record OrderView(
    string OrderId,
    string Status,
    string Provider,
    string MerchantReference,
    string? ProviderReference,
    string? ProviderStatus,
    IReadOnlyDictionary<string, string>? ProviderData,
    string Amount,
    string Currency,
    IReadOnlyList<OrderItemView> Items,
    OrderCustomerView? Customer,
    string SuccessUrl,
    string FailureUrl,
    SubscriptionView? Subscription,
    IReadOnlyDictionary<string, string>? Metadata,
    string? RedirectUrl,
    DateTimeOffset? ExpiresAt,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<HistoryStep> History,
    string RefundedAmount,
    IReadOnlyList<RefundView> Refunds,
    IReadOnlyList<ChargeView> Charges);

/// <summary>One transition in <see cref="OrderView.History"/>: <c>source</c> is api, return, webhook or reconcile.</summary>
public sealed record HistoryStep(string From, string To, DateTimeOffset At, string Source, string? ProviderStatus, string? Reason);

/// <summary>An order line as the API shows it (amounts as decimal strings).</summary>
public sealed record OrderItemView(string Name, string? Sku, int Quantity, string UnitPrice, string? VatRate, string Type);

/// <summary>The shopper as recorded on the order.</summary>
public sealed record OrderCustomerView(string? Email, string? FirstName, string? LastName, string? Phone, JsonObject? Address);

/// <summary>The subscription a NEXT order renews.</summary>
public sealed record SubscriptionView(string Interval, int IntervalCount);

/// <summary>A refund on the order: <c>status</c> requested, pending, succeeded, failed or unknown.</summary>
public sealed record RefundView(string RefundId, string Amount, string? Reason, string Status, DateTimeOffset RequestedAt,
    string? ProviderRefundId, string? ProviderStatus, string? FailureReason);

/// <summary>A follow-up charge (upsell or recurring) on the order.</summary>
public sealed record ChargeView(string ChargeId, string Kind, string Status, string Amount, IReadOnlyList<OrderItemView> Items,
    DateTimeOffset? RunAt, int? Cycle, string? ProviderReference, string? ProviderStatus, string? FailureReason,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
