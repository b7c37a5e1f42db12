using System.Text.Json;

namespace Payments.Core.Tests;

/// <summary>
/// The create-order requests the Core tests start from, in one place: <see cref="Order"/> passes every rule, and a test
/// changes the one member it is about (<c>Requests.Order() with { Amount = "0.00" }</c>).
/// </summary>
internal static class Requests
{
    /// <summary>A complete, valid NEXT order: one line, a customer with an address, provider options and metadata.</summary>
    public static CreateOrderRequest Order() => new()
    {
        Provider = "next",
        MerchantReference = "SO-1001",
        Amount = "49.90",
        Currency = "CHF",
        Items =
        [
            new OrderItemRequest { Name = "Mug", Sku = "MUG-1", Quantity = 2, UnitPrice = "24.95", VatRate = "8.1", Type = "goods" },
        ],
        Customer = new CustomerRequest { Email = "a@b.ch", FirstName = "Anna", LastName = "Muster", Phone = "+41 44 123 45 67", Address = new AddressRequest { Country = "CH", City = "Zürich" } },
        SuccessUrl = "https://shop.example/checkout/done",
        FailureUrl = "https://shop.example/checkout/failed",
        ProviderOptions = new Dictionary<string, JsonElement> { ["paymentGateway"] = JsonDocument.Parse("\"3\"").RootElement, ["capture"] = JsonDocument.Parse("false").RootElement },
        Metadata = new Dictionary<string, string?> { ["cart"] = "c-1" },
    };

    /// <summary>
    /// <see cref="Order"/> for one of the tests' fake providers, for an amount alone (no lines, so any amount is valid): what the
    /// service tests create when the lines are not what they are about.
    /// </summary>
    public static CreateOrderRequest AmountOnly(string provider, string reference = "SO-1001", string amount = "49.90") =>
        Order() with { Provider = provider, MerchantReference = reference, Amount = amount, Items = null };

    /// <summary><paramref name="request"/> validated as the API would, with its provider the one configured and the shop's origin allowed.</summary>
    public static (OrderDraft? Draft, IReadOnlyList<ValidationIssue> Issues) Validate(CreateOrderRequest request) =>
        OrderRequestValidator.Validate(request, new OrderRequestRules(new HashSet<string> { request.Provider! }, ["https://shop.example"]));

    /// <summary>The draft of a request <see cref="Validate"/> accepts.</summary>
    public static OrderDraft Draft(CreateOrderRequest request) => Validate(request).Draft!;
}
