using System.Runtime.CompilerServices;
using Payments.Core.Money;
using Payments.Providers.Twisto;

namespace Payments.Providers.Tests.Twisto;

/// <summary>Builds the real DI graph for Twisto with a fake handler under it; each test gets its own.</summary>
internal static class TwistoTestKit
{
    public const string Secret = "tw_SECRET_5b7e1d";
    public const string OrderId = "ord_0190a1b2c3d4e5f60718293a4b5c6d7e";
    public const string CheckoutId = "8f2c6b1e-6a0e-4a55-9c1d-2f0b7d3e9a41";
    public const string V2OrderId = "497f6eca-6276-4993-bfeb-53cbbbba6f08";
    public static readonly Uri ReturnUrl = new($"https://payments.example/api/return/twisto/{OrderId}/sig123");

    public static Dictionary<string, string?> Settings(string version, string baseUrl) => ProviderTestKit.Settings("Twisto", new()
    {
        ["Providers:Twisto:BaseUrl"] = baseUrl,
        ["Providers:Twisto:ApiVersion"] = version,
        ["Providers:Twisto:SecretKey"] = Secret,
        ["Providers:Twisto:MerchantReference"] = "shop-42",
    });

    public static ServiceProvider Services(CapturingHandler? handler, string version = "v4", Action<Dictionary<string, string?>>? tweak = null,
        string baseUrl = "https://api.twisto.cz") =>
        ProviderTestKit.Services(Settings(version, baseUrl), TwistoClient.HttpClientName, handler, tweak);

    public static TwistoProvider Provider(this IServiceProvider services) => ProviderTestKit.Provider<TwistoProvider>(services, "twisto");

    public static TwistoClient Client(this IServiceProvider services) => services.GetRequiredService<TwistoClient>();

    /// <summary>1249.90 CZK: two mugs at 600.00, shipping 99.90, a 50.00 discount.</summary>
    public static Order Order(string id = OrderId, string? providerReference = null, string? version = null,
        IReadOnlyDictionary<string, string>? providerOptions = null) => new()
        {
            Id = id,
            Provider = "twisto",
            MerchantReference = "SO-1001",
            Amount = new Money(124990, Currency.FromCode("CZK")),
            Items =
        [
            new OrderItem("Hrnek", "MUG-1", 2, 60000, "21", ItemType.Goods),
            new OrderItem("Doprava", null, 1, 9990, "21", ItemType.Shipment),
            new OrderItem("Sleva", null, 1, -5000, null, ItemType.Discount),
        ],
            Customer = new Customer("jana@example.cz", "Jana", "Nováková", "+420731889776",
            new Address("Újezd 450/40", "byt 3", "Praha", "11800", null, "CZ")),
            SuccessUrl = "https://shop.example/done",
            FailureUrl = "https://shop.example/failed",
            ProviderOptions = providerOptions ?? new Dictionary<string, string>(),
            ProviderReference = providerReference,
            ProviderData = version is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [TwistoProvider.ApiVersionKey] = version },
        };

    public static OrderDraft Draft(Order? order = null, string? currency = null, long? amountMinor = null)
    {
        var o = order ?? Order();
        var amount = new Money(amountMinor ?? o.Amount.Minor, currency is null ? o.Amount.Currency : Currency.FromCode(currency));
        return new OrderDraft("twisto", o.MerchantReference, amount, o.Items, o.Customer, o.SuccessUrl, o.FailureUrl, null,
            o.ProviderOptions, o.Metadata);
    }

    public static ProviderSessionRequest SessionRequest(Order order) =>
        new(order, ReturnUrl, new Uri(ReturnUrl + "?cancel=1"), new Uri("https://payments.example/api/webhooks/twisto"));

    public static string Fixture(string name, [CallerFilePath] string here = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "Fixtures", name));

    /// <summary>The checkout fixture with some fields replaced.</summary>
    public static string CheckoutJson(string state = "completed", string? reference = OrderId, string amount = "1249.90", string currency = "CZK", string id = CheckoutId)
    {
        var node = JsonNode.Parse(Fixture("checkout.json"))!;
        node["id"] = id;
        node["state"] = state;
        node["order"]!["reference"] = reference;
        node["order"]!["amount"] = amount;
        node["order"]!["currency"] = currency;
        return node.ToJsonString();
    }

    /// <summary>The v2 order fixture with some fields replaced.</summary>
    public static string OrderJson(string status = "new", string? externalId = OrderId, string amount = "1249.90", string id = V2OrderId)
    {
        var node = JsonNode.Parse(Fixture("order.json"))!;
        node["id"] = id;
        node["status"] = status;
        node["external_id"] = externalId;
        node["initial_amount"] = amount;
        return node.ToJsonString();
    }

    public static ReturnRequest Return(IReadOnlyDictionary<string, string>? query = null, bool cancelled = false) =>
        new("GET", query ?? new Dictionary<string, string>(), new Dictionary<string, string>(), cancelled);

    public static WebhookRequest Webhook(string body, string method = "POST") =>
        new(method, new Dictionary<string, string>(), new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = "application/json" },
            System.Text.Encoding.UTF8.GetBytes(body));

    /// <summary>Every documented v4 checkout <c>state</c> and what it means (the status mapping's table, as the tests state it once).</summary>
    public static TheoryData<string, PaymentStatus?> CheckoutStates => new()
    {
        { "created", null },
        { "approved", PaymentStatus.Authorized },
        { "completed", PaymentStatus.Succeeded },
        { "cancelled", PaymentStatus.Cancelled },
        { "error", PaymentStatus.Failed },
    };

    /// <summary>Every documented v2 order <c>status</c> and what it means.</summary>
    public static TheoryData<string, PaymentStatus?> OrderStatuses => new()
    {
        { "new", null },
        { "data_completed", null },
        { "checking", null },
        { "rejected", PaymentStatus.Failed },
        { "accepted", PaymentStatus.Authorized },
        { "canceled", PaymentStatus.Cancelled },
        { "activated", PaymentStatus.Succeeded },
        { "refunded", PaymentStatus.Refunded },
        { "error", PaymentStatus.Failed },
    };
}
