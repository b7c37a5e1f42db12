using Payments.Core.Money;
using Payments.Providers.NeuroPay;

namespace Payments.Providers.Tests.NeuroPay;

/// <summary>Builds the real DI graph for Neuro-Pay with a fake handler under it; each test gets its own.</summary>
internal static class NeuroPayTestKit
{
    public const string ApiKey = "npk_test_SECRET_71c2d9";
    public const string OrderId = "ord_0190a1b2c3d4e5f60718293a4b5c6d7e";
    public const string CheckoutId = "5f1c2a9e0b7d4c3f8e6a1b2c3d4e5f60";
    public const string CustomerId = "9a7991cb1e8e9f30911970e913ad4841";
    public static readonly Uri ReturnUrl = new($"https://payments.example/api/return/neuropay/{OrderId}/sig123");
    public static readonly Uri CancelUrl = new($"{ReturnUrl}?cancel=1");

    public static Dictionary<string, string?> Settings(string baseUrl) => ProviderTestKit.Settings("NeuroPay", new()
    {
        ["Providers:NeuroPay:BaseUrl"] = baseUrl,
        ["Providers:NeuroPay:ApiKey"] = ApiKey,
    });

    public static ServiceProvider Services(CapturingHandler? handler, Action<Dictionary<string, string?>>? tweak = null,
        string baseUrl = "https://api.paiwise.com") =>
        ProviderTestKit.Services(Settings(baseUrl), NeuroPayClient.HttpClientName, handler, tweak);

    public static NeuroPayProvider Provider(this IServiceProvider services) => ProviderTestKit.Provider<NeuroPayProvider>(services, "neuropay");

    public static NeuroPayClient Client(this IServiceProvider services) => services.GetRequiredService<NeuroPayClient>();

    public static Order Order(string id = OrderId, long amountMinor = 4990, string currency = "SEK", string? providerReference = null,
        IReadOnlyDictionary<string, string>? options = null, IReadOnlyList<RefundRecord>? refunds = null) => new()
        {
            Id = id,
            Provider = "neuropay",
            MerchantReference = "SO-1001",
            Amount = new Money(amountMinor, Currency.FromCode(currency)),
            Items = [new OrderItem("Mug", "MUG-1", 2, amountMinor / 2, "25", ItemType.Goods)],
            Customer = new Customer("anna@example.se", "Anna", "Svensson", null, null),
            SuccessUrl = "https://shop.example/done",
            FailureUrl = "https://shop.example/failed",
            ProviderOptions = options ?? new Dictionary<string, string>(),
            ProviderReference = providerReference,
            Refunds = refunds ?? [],
        };

    public static OrderDraft Draft(IReadOnlyDictionary<string, string>? options = null, long amountMinor = 4990, Subscription? subscription = null) => new(
        "neuropay", "SO-1001", new Money(amountMinor, Currency.FromCode("SEK")), [], null,
        "https://shop.example/done", "https://shop.example/failed", subscription,
        options ?? new Dictionary<string, string>(), new Dictionary<string, string>());

    public static ProviderSessionRequest SessionRequest(Order order) =>
        new(order, ReturnUrl, CancelUrl, new Uri("https://payments.example/api/webhooks/neuropay"));

    public static ReturnRequest Return(IReadOnlyDictionary<string, string>? query = null, bool cancelled = false) =>
        new("GET", query ?? new Dictionary<string, string>(), new Dictionary<string, string>(), cancelled);

    /// <summary>
    /// A checkout as the simulator answers (the field names <see cref="NeuroPayResponses"/> reads first), with some
    /// fields replaced. Neuro-Pay's own example is missing from its docs; this is the documented guess.
    /// </summary>
    public static string Checkout(string status = "created", string? id = CheckoutId, long amount = 4990, string currency = "SEK",
        long refunded = 0, string? orderId = OrderId, string? url = "https://api.paiwise.com/checkout/pay/" + CheckoutId)
    {
        var meta = new JsonObject { ["merchant_reference"] = "SO-1001" };
        if (orderId is not null)
        {
            meta["payments_order_id"] = orderId;
        }

        var node = new JsonObject
        {
            ["checkout_id"] = id,
            ["identifier"] = OrderId,
            ["status"] = status,
            ["amount"] = amount,
            ["refunded_amount"] = refunded,
            ["currency"] = currency,
            ["message"] = "Order SO-1001",
            ["capture"] = true,
            ["allowSaveCard"] = true,
            ["returnUrl"] = ReturnUrl.AbsoluteUri,
            ["returnUrlCancel"] = CancelUrl.AbsoluteUri,
            ["customer_id"] = null,
            ["card_id"] = null,
            ["template"] = null,
            ["metaData"] = meta,
            ["url"] = url,
            ["created"] = "2024-06-03T10:00:00Z",
            ["updated"] = "2024-06-03T10:00:00Z",
        };
        return node.ToJsonString();
    }

    /// <summary>The newer docs' customer response example, with one saved card.</summary>
    public const string Customer = """
        {
          "customer_id": "9a7991cb1e8e9f30911970e913ad4841",
          "first_name": "Ada",
          "last_name": "Lovelace",
          "email": "ada@example.com",
          "client_page": "https://neuro-admin.com/client/9a7991cb1e8e9f30911970e913ad4841",
          "metaData": { "crmId": "cust_123" },
          "savedCards": [ { "card_id": "c0ffee0000000000000000000000beef", "brand": "visa", "last4": "4242", "expiry": "12/27", "default": true } ]
        }
        """;
}
