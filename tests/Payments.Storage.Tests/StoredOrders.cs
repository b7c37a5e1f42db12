using Payments.Core.Money;

namespace Payments.Storage.Tests;

/// <summary>The orders and transitions the order store and outbox tests write.</summary>
internal static class StoredOrders
{
    public static readonly DateTimeOffset Now = new(2025, 7, 1, 10, 0, 0, TimeSpan.Zero);

    public static Order NewOrder() => new()
    {
        Id = "ord_" + Guid.NewGuid().ToString("N"),
        Provider = "next",
        MerchantReference = "M-" + Guid.NewGuid().ToString("N")[..8],
        Amount = new Money(4990, Currency.Chf),
        Items = [new OrderItem("Shirt", "SKU-1", 2, 2495, "8.1", ItemType.Goods)],
        Customer = new Customer("a@example.com", "Ada", "Lovelace", null, new Address("Street 1", null, "Zürich", "8000", null, "CH")),
        SuccessUrl = "https://shop.example/ok",
        FailureUrl = "https://shop.example/fail",
        Subscription = new Subscription("month", 1),
        ProviderOptions = new Dictionary<string, string> { ["locale"] = "de-CH" },
        Metadata = new Dictionary<string, string> { ["CartId"] = "c-1" },
        ProviderData = new Dictionary<string, string> { ["TxRef"] = "t-1" },
        ExpiresAt = Now.AddHours(1),
        CreatedAt = Now,
        UpdatedAt = Now.AddTicks(1_234_567),
    };

    public static (Order Updated, IReadOnlyList<PaymentEvent> Events) Transition(
        Order before, PaymentStatus to, string? reason = null, DateTimeOffset? at = null)
    {
        var when = at ?? Now.AddMinutes(1);
        var after = before with
        {
            Status = to,
            UpdatedAt = when,
            History = [.. before.History, new StatusTransition(before.Status, to, when, TransitionSource.Webhook, "PAID", reason)],
        };
        return (after, [PaymentEvent.ForTransition(before, after, when)]);
    }
}
