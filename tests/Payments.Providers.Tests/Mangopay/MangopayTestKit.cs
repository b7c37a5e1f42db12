using Payments.Core.Money;
using Payments.Providers.Mangopay;

namespace Payments.Providers.Tests.Mangopay;

/// <summary>Builds the real DI graph for Mangopay with a fake handler under it; each test gets its own.</summary>
internal static class MangopayTestKit
{
    public const string ClientId = "acme-platform";
    public const string ApiKey = "apikey_SECRET_9d2b7e";
    public const string AccessToken = "tok_SECRET_c84feed5";
    public const string WalletId = "wlt_m_01HQ";
    public const string AuthorId = "user_m_01HQ";
    public const string OrderId = "ord_0190a1b2c3d4e5f60718293a4b5c6d7e";
    public const string PayInId = "wt_c84feed5-6d8e-4ae1-ab59-7e5f7a6e9b2a";
    public const string BaseUrl = "https://api.sandbox.mangopay.com";
    public static readonly Uri ReturnUrl = new($"https://payments.example/api/return/mangopay/{OrderId}/{new string('t', 43)}");

    public static string PayInPath => $"/v2.01/{ClientId}/payins/{PayInId}";

    public static Dictionary<string, string?> Settings(string baseUrl = BaseUrl) => ProviderTestKit.Settings("Mangopay", new()
    {
        ["Providers:Mangopay:BaseUrl"] = baseUrl,
        ["Providers:Mangopay:ClientId"] = ClientId,
        ["Providers:Mangopay:ApiKey"] = ApiKey,
        ["Providers:Mangopay:CreditedWalletId"] = WalletId,
        ["Providers:Mangopay:AuthorId"] = AuthorId,
    });

    public static ServiceProvider Services(CapturingHandler? handler, Action<Dictionary<string, string?>>? tweak = null,
        string baseUrl = BaseUrl, TimeProvider? clock = null, IPaymentLinks? links = null) =>
        ProviderTestKit.Services(Settings(baseUrl), MangopayClient.HttpClientName, handler, tweak, clock, links);

    public static MangopayProvider Provider(this IServiceProvider services) => ProviderTestKit.Provider<MangopayProvider>(services, "mangopay");

    public static Order Order(string id = OrderId, long amountMinor = 4990, string? providerReference = null,
        IReadOnlyDictionary<string, string>? providerOptions = null, string merchantReference = "SO-1001") => new()
        {
            Id = id,
            Provider = "mangopay",
            MerchantReference = merchantReference,
            Amount = new Money(amountMinor, Currency.Chf),
            Items = [new OrderItem("Mug", "MUG-1", 2, amountMinor / 2, "8.1", ItemType.Goods)],
            Customer = new Customer("anna@example.ch", "Anna", "Muster", null, null),
            SuccessUrl = "https://shop.example/done",
            FailureUrl = "https://shop.example/failed",
            ProviderOptions = providerOptions ?? new Dictionary<string, string>(),
            ProviderReference = providerReference,
        };

    public static ProviderSessionRequest SessionRequest(Order order, Uri? returnUrl = null)
    {
        var back = returnUrl ?? ReturnUrl;
        return new(order, back, new Uri(back + "?cancel=1"), new Uri("https://payments.example/api/webhooks/mangopay"));
    }

    public static string TokenJson(string token = AccessToken, long expiresIn = 1200) =>
        $$"""{"access_token":"{{token}}","token_type":"Bearer","expires_in":{{expiresIn}}}""";

    /// <summary>The docs' TWINT pay-in example, as Mangopay answers a create (CREATED, ReturnURL with transactionId).</summary>
    public static string PayInJson(string status = "CREATED", string? id = PayInId, string? tag = null, long amount = 4990,
        string currency = "CHF", string? resultCode = null, string? resultMessage = null, string author = AuthorId,
        string wallet = WalletId, string? redirectUrl = "https://r3.girogate.de/ti/simtwint?tx=140079495229&rs=oHkl4WvsgwtWpMptWpqWlFa90j0EzzO9&cs=e43baf1ae4a556dfb823fd304acab2d1a6b2d8bdf0ba5eb67f0b3b1b8e9a1ba7")
    {
        var node = new JsonObject
        {
            ["Id"] = id,
            ["Tag"] = tag ?? MangopayOrderMapping.Tag(OrderId, "SO-1001"),
            ["CreationDate"] = 1_718_010_000,
            ["AuthorId"] = author,
            ["CreditedUserId"] = author,
            ["DebitedFunds"] = new JsonObject { ["Currency"] = currency, ["Amount"] = amount },
            ["CreditedFunds"] = new JsonObject { ["Currency"] = currency, ["Amount"] = amount },
            ["Fees"] = new JsonObject { ["Currency"] = currency, ["Amount"] = 0 },
            ["Status"] = status,
            ["ResultCode"] = resultCode,
            ["ResultMessage"] = resultMessage,
            ["ExecutionDate"] = status == "SUCCEEDED" ? 1_718_010_060 : null,
            ["Type"] = "PAYIN",
            ["Nature"] = "REGULAR",
            ["CreditedWalletId"] = wallet,
            ["PaymentType"] = "TWINT",
            ["ExecutionType"] = "WEB",
            ["ReturnURL"] = $"{ReturnUrl}?transactionId={id}",
            ["RedirectURL"] = redirectUrl,
            ["StatementDescriptor"] = null,
        };
        return node.ToJsonString();
    }

    public static string RefundJson(string status = "SUCCEEDED", long amount = 1000) =>
        $$$"""{"Id":"refund_m_01HW","Tag":null,"CreationDate":1718011000,"AuthorId":"{{{AuthorId}}}","DebitedFunds":{"Currency":"CHF","Amount":{{{amount}}}},"CreditedFunds":{"Currency":"CHF","Amount":{{{amount}}}},"Fees":{"Currency":"CHF","Amount":0},"Status":"{{{status}}}","ResultCode":"000000","ResultMessage":"Success","ExecutionDate":1718011000,"Type":"PAYOUT","Nature":"REFUND","InitialTransactionId":"{{{PayInId}}}","InitialTransactionType":"PAYIN","InitialTransactionNature":"REGULAR","RefundReason":{"RefundReasonMessage":null,"RefundReasonType":"INITIALIZED_BY_CLIENT"}}""";

    public static string ErrorJson(string type, string message = "One or several required parameters are missing or incorrect.", string errors = "null") =>
        $$"""{"Message":"{{message}}","Type":"{{type}}","Id":"bf6cce22-4bd0-4e42-a7d5-e35d0a2e3b1d#1452723935","Date":1452723944,"errors":{{errors}}}""";

    public static ReturnRequest Return(IReadOnlyDictionary<string, string> query, bool cancelled = false) =>
        new("GET", query, new Dictionary<string, string>(), cancelled);

    public static WebhookRequest Hook(IReadOnlyDictionary<string, string> query) =>
        new("GET", query, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), []);
}

/// <summary>A clock the test moves by hand (timers still run in real time).</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>The host's URL builder as a fake: a return URL under a base of the given length.</summary>
internal sealed class FakeLinks(string publicBaseUrl) : IPaymentLinks
{
    public Uri ReturnUrl(Order order) => new($"{publicBaseUrl}/api/return/{order.Provider}/{order.Id}/{new string('t', 43)}");

    public Uri CancelUrl(Order order) => new($"{ReturnUrl(order)}?cancel=1");

    public Uri WebhookUrl(string provider) => new($"{publicBaseUrl}/api/webhooks/{provider}");
}
