namespace Payments.Core.Orders;

/// <summary>A create request that passed validation: every field typed, amounts in minor units.</summary>
public sealed record OrderDraft(
    string Provider,
    string MerchantReference,
    Money.Money Amount,
    IReadOnlyList<OrderItem> Items,
    Customer? Customer,
    string SuccessUrl,
    string FailureUrl,
    Subscription? Subscription,
    IReadOnlyDictionary<string, string> ProviderOptions,
    IReadOnlyDictionary<string, string> Metadata)
{
    public Order ToOrder(string id, DateTimeOffset now) => new()
    {
        Id = id,
        Provider = Provider,
        MerchantReference = MerchantReference,
        Amount = Amount,
        Items = Items,
        Customer = Customer,
        SuccessUrl = SuccessUrl,
        FailureUrl = FailureUrl,
        Subscription = Subscription,
        ProviderOptions = ProviderOptions,
        Metadata = Metadata,
        Status = PaymentStatus.Pending,
        CreatedAt = now,
        UpdatedAt = now,
    };
}
