namespace Payments.Host.Tests;

/// <summary>
/// The request bodies the Host tests send, in one place: a valid order per provider (each what that provider's API
/// accepts: NEXT takes numeric SKUs, Twisto needs an address, …) and the charge bodies. They are <see cref="JsonObject"/>s
/// so a test can change one member (<c>body["metadata"] = …</c>) and send exactly that.
/// </summary>
public static class OrderBodies
{
    public const string SuccessUrl = $"{TestApp.Shop}/checkout/done";
    public const string FailureUrl = $"{TestApp.Shop}/checkout/failed";

    /// <summary>TWINT through NEXT: 2 mugs at 24.95 CHF.</summary>
    public static JsonObject Next(string reference = "SO-1001") =>
        Order("next", reference, "49.90", "CHF", [Mug("101", "8.1")], Anna("anna@example.ch", "Muster"));

    /// <summary>A Neuro-Pay checkout in SEK; <paramref name="providerOptions"/> carries <c>capture</c>, <c>customerId</c>, <c>cardId</c>.</summary>
    public static JsonObject NeuroPay(string reference = "SO-2001", JsonObject? providerOptions = null)
    {
        var body = Order("neuropay", reference, "49.90", "SEK", [Mug("MUG-1", "25")], Anna("anna@example.se", "Svensson"));
        body["providerOptions"] = providerOptions ?? new JsonObject();
        return body;
    }

    /// <summary>A Mangopay TWINT pay-in (its statement descriptor set).</summary>
    public static JsonObject Mangopay(string reference = "SO-2001", string amount = "49.90", string currency = "CHF")
    {
        var body = Order("mangopay", reference, amount, currency, [Mug("MUG-1", "8.1")], Anna("anna@example.ch", "Muster"));
        body["providerOptions"] = new JsonObject { ["statementDescriptor"] = "ACME SHOP" };
        return body;
    }

    /// <summary>A Twisto order in CZK with goods, shipping and a discount line, and the address Twisto requires.</summary>
    public static JsonObject Twisto(string reference = "SO-2001", string currency = "CZK") => Order("twisto", reference, "1249.90", currency,
        [
            new JsonObject { ["name"] = "Hrnek", ["sku"] = "MUG-1", ["quantity"] = 2, ["unitPrice"] = "600.00", ["vatRate"] = "21", ["type"] = "goods" },
            new JsonObject { ["name"] = "Doprava", ["quantity"] = 1, ["unitPrice"] = "99.90", ["vatRate"] = "21", ["type"] = "shipment" },
            new JsonObject { ["name"] = "Sleva", ["quantity"] = 1, ["unitPrice"] = "-50.00", ["type"] = "discount" },
        ],
        new JsonObject
        {
            ["email"] = "jana@example.cz",
            ["firstName"] = "Jana",
            ["lastName"] = "Nováková",
            ["phone"] = "+420731889776",
            ["address"] = new JsonObject { ["line1"] = "Újezd 450/40", ["city"] = "Praha", ["postalCode"] = "11800", ["country"] = "CZ" },
        });

    /// <summary>A one-click upsell of one pair of socks.</summary>
    public static JsonObject Upsell(string sku = "202", string price = "9.90") => new()
    {
        ["items"] = new JsonArray(new JsonObject { ["name"] = "Socks", ["sku"] = sku, ["quantity"] = 1, ["unitPrice"] = price, ["type"] = "goods" }),
    };

    private static JsonObject Order(string provider, string reference, string amount, string currency, JsonNode[] items, JsonObject customer) => new()
    {
        ["provider"] = provider,
        ["merchantReference"] = reference,
        ["amount"] = amount,
        ["currency"] = currency,
        ["items"] = new JsonArray(items),
        ["customer"] = customer,
        ["successUrl"] = SuccessUrl,
        ["failureUrl"] = FailureUrl,
    };

    private static JsonObject Mug(string sku, string vatRate) => new()
    {
        ["name"] = "Mug",
        ["sku"] = sku,
        ["quantity"] = 2,
        ["unitPrice"] = "24.95",
        ["vatRate"] = vatRate,
        ["type"] = "goods",
    };

    private static JsonObject Anna(string email, string lastName) => new() { ["email"] = email, ["firstName"] = "Anna", ["lastName"] = lastName };
}
