using Payments.Core.Charges;
using Payments.Core.Money;
using Payments.Core.Orders;

namespace Payments.Host.Orders;

/// <summary>An order as the API shows it: amounts as decimal strings, statuses as wire names.</summary>
public sealed record OrderView(
    string OrderId,
    PaymentStatus Status,
    string Provider,
    string MerchantReference,
    string? ProviderReference,
    string? ProviderStatus,
    IReadOnlyDictionary<string, string> ProviderData,
    string Amount,
    string Currency,
    IReadOnlyList<OrderItemView> Items,
    Customer? Customer,
    string SuccessUrl,
    string FailureUrl,
    Subscription? Subscription,
    IReadOnlyDictionary<string, string> Metadata,
    string? RedirectUrl,
    DateTimeOffset? ExpiresAt,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<StatusTransition> History,
    string RefundedAmount,
    IReadOnlyList<RefundView> Refunds,
    IReadOnlyList<ChargeView> Charges)
{
    public static OrderView From(Order o) => new(
        o.Id, o.Status, o.Provider, o.MerchantReference, o.ProviderReference, o.ProviderStatus, o.ProviderData,
        o.Amount.ToDecimalString(), o.Amount.Currency.Code,
        o.Items.Select(i => Item(i, o.Amount.Currency.Exponent)).ToArray(),
        o.Customer, o.SuccessUrl, o.FailureUrl, o.Subscription, o.Metadata, o.RedirectUrl, o.ExpiresAt, o.FailureReason,
        o.CreatedAt, o.UpdatedAt, o.History,
        Money.FormatMinor(o.RefundedMinor, o.Amount.Currency.Exponent),
        o.Refunds.Select(r => new RefundView(r.RefundId, Money.FormatMinor(r.AmountMinor, o.Amount.Currency.Exponent), r.Reason,
            r.Outcome.ToString().ToLowerInvariant(), r.RequestedAt, r.ProviderRefundId, r.ProviderStatus, r.FailureReason)).ToArray(),
        o.Charges.Select(c => new ChargeView(c.ChargeId, c.Kind, c.Status, Money.FormatMinor(c.AmountMinor, o.Amount.Currency.Exponent),
            c.Items.Select(i => Item(i, o.Amount.Currency.Exponent)).ToArray(), c.RunAt, c.Cycle, c.ProviderReference, c.ProviderStatus,
            c.FailureReason, c.CreatedAt, c.UpdatedAt)).ToArray());

    private static OrderItemView Item(OrderItem i, int exponent) =>
        new(i.Name, i.Sku, i.Quantity, Money.FormatMinor(i.UnitPriceMinor, exponent), i.VatRate, i.Type.ToString().ToLowerInvariant());
}

/// <summary>A follow-up charge as the API shows it; the amount is in the order's currency.</summary>
public sealed record ChargeView(
    string ChargeId,
    ChargeKind Kind,
    ChargeStatus Status,
    string Amount,
    IReadOnlyList<OrderItemView> Items,
    DateTimeOffset? RunAt,
    int? Cycle,
    string? ProviderReference,
    string? ProviderStatus,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record OrderItemView(string Name, string? Sku, int Quantity, string UnitPrice, string? VatRate, string Type);

/// <summary>A refund as the API shows it. <c>status</c>: requested (being sent, or its answer lost: settled from the provider's records), pending, succeeded, failed, unknown (the provider's records could not tell; a human checks).</summary>
public sealed record RefundView(string RefundId, string Amount, string? Reason, string Status, DateTimeOffset RequestedAt,
    string? ProviderRefundId, string? ProviderStatus, string? FailureReason);
