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
    IReadOnlyList<StatusTransition> History)
{
    public static OrderView From(Order o) => new(
        o.Id, o.Status, o.Provider, o.MerchantReference, o.ProviderReference, o.ProviderStatus,
        o.Amount.ToDecimalString(), o.Amount.Currency.Code,
        o.Items.Select(i => new OrderItemView(i.Name, i.Sku, i.Quantity,
            Money.FormatMinor(i.UnitPriceMinor, o.Amount.Currency.Exponent), i.VatRate, i.Type.ToString().ToLowerInvariant())).ToArray(),
        o.Customer, o.SuccessUrl, o.FailureUrl, o.Subscription, o.Metadata, o.RedirectUrl, o.ExpiresAt, o.FailureReason,
        o.CreatedAt, o.UpdatedAt, o.History);
}

public sealed record OrderItemView(string Name, string? Sku, int Quantity, string UnitPrice, string? VatRate, string Type);
