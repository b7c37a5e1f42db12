using Payments.Core.Money;
using Payments.Providers.Next;

namespace Payments.Providers.Tests.Next;

/// <summary>Builds the real DI graph for NEXT with a fake handler under it; each test gets its own.</summary>
internal static class NextTestKit
{
    public const string Token = "tok_SECRET_3f8a9c";
    public const string OrderId = "ord_0190a1b2c3d4e5f60718293a4b5c6d7e";
    public static readonly Uri ReturnUrl = new("https://payments.example/api/return/next/ord_0190a1b2c3d4e5f60718293a4b5c6d7e/sig123");

    public static Dictionary<string, string?> Settings(string baseUrl = "https://shop.29next.store") => ProviderTestKit.Settings("Next", new()
    {
        ["Providers:Next:BaseUrl"] = baseUrl,
        ["Providers:Next:AccessToken"] = Token,
        ["Providers:Next:WebhookSecret"] = "whsec_test",
    });

    public static ServiceProvider Services(CapturingHandler? handler, Action<Dictionary<string, string?>>? tweak = null,
        string baseUrl = "https://shop.29next.store", TimeProvider? clock = null) =>
        ProviderTestKit.Services(Settings(baseUrl), NextClient.HttpClientName, handler, tweak, clock);

    public static NextProvider Provider(this IServiceProvider services) => ProviderTestKit.Provider<NextProvider>(services, "next");

    public static Order Order(string id = OrderId, long amountMinor = 4990, string? providerReference = null) => new()
    {
        Id = id,
        Provider = "next",
        MerchantReference = "SO-1001",
        Amount = new Money(amountMinor, Currency.Chf),
        Items = [new OrderItem("Mug", "1234", 2, 2495, "8.1", ItemType.Goods)],
        Customer = new Customer("anna@example.ch", "Anna", "Muster", "044 000 00 00",
            new Address("Bahnhofstrasse 1", null, "Zürich", "8001", null, "CH")),
        SuccessUrl = "https://shop.example/done",
        FailureUrl = "https://shop.example/failed",
        ProviderOptions = new Dictionary<string, string> { ["paymentGateway"] = "7" },
        ProviderReference = providerReference,
    };

    public static ProviderSessionRequest SessionRequest(Order order) =>
        new(order, ReturnUrl, new Uri(ReturnUrl + "?cancel=1"), new Uri("https://payments.example/api/webhooks/next"));

    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Next", name));

    /// <summary>The paid-order fixture with some fields replaced.</summary>
    public static string OrderJson(string? orderId = OrderId, string total = "49.90", string paymentStatus = "paid", string currency = "CHF")
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Fixture("order-paid.json"))!;
        node["metadata"] = orderId is null ? new System.Text.Json.Nodes.JsonObject() : new System.Text.Json.Nodes.JsonObject { ["payments_order_id"] = orderId };
        node["total_incl_tax"] = total;
        node["payment_status"] = paymentStatus;
        node["currency"] = currency;
        return node.ToJsonString();
    }

    public static ReturnRequest Return(string? response) => new(
        "POST",
        new Dictionary<string, string>(),
        response is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["response"] = response },
        false);
}

/// <summary>A clock that stands still (timers still run in real time).</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
