using Payments.Core.Validation;

namespace Payments.Providers.Tests.Twisto;

public sealed class TwistoValidationTests
{
    private static List<ValidationIssue> Issues(OrderDraft draft, string version = "v4", Action<Dictionary<string, string?>>? tweak = null)
    {
        using var services = TwistoTestKit.Services(null, version, tweak);
        return services.Provider().Validate(draft).ToList();
    }

    private static OrderDraft With(Customer? customer = null, IReadOnlyDictionary<string, string>? options = null, IReadOnlyList<OrderItem>? items = null, long? amount = null, string? currency = null)
    {
        var draft = TwistoTestKit.Draft(currency: currency, amountMinor: amount);
        return draft with
        {
            Customer = customer ?? draft.Customer,
            ProviderOptions = options ?? draft.ProviderOptions,
            Items = items ?? draft.Items,
        };
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public void A_normal_order_passes(string version) => Assert.Empty(Issues(TwistoTestKit.Draft(), version));

    [Fact]
    public void Every_issue_is_a_422_naming_twisto()
    {
        var issues = Issues(With(currency: "CHF"));

        var issue = Assert.Single(issues);
        Assert.Equal("currency", issue.Field);
        Assert.Equal(IssueKind.Unprocessable, issue.Kind);
        Assert.StartsWith("twisto: ", issue.Message, StringComparison.Ordinal);
        Assert.Contains("CZK, PLN", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_currencies_can_be_configured()
    {
        var draft = With(currency: "EUR");

        Assert.Empty(Issues(draft, tweak: s => { s["Providers:Twisto:Currencies:0"] = "EUR"; s["Providers:Twisto:Currencies:1"] = "CZK"; }));
        Assert.Single(Issues(draft));
    }

    [Theory]
    [InlineData(9_999_999_999L, true)]
    [InlineData(10_000_000_000L, false)]
    public void The_amount_has_at_most_eight_digits_before_the_point(long minor, bool ok)
    {
        var issues = Issues(With(items: [], amount: minor));

        Assert.Equal(ok, !issues.Any(i => i.Field == "amount"));
    }

    [Fact]
    public void Item_prices_fit_the_pattern_too()
    {
        var issues = Issues(With(items: [new OrderItem("Gold", null, 1, 10_000_000_000L, null, ItemType.Goods)], amount: 10_000_000_000L));

        Assert.Contains(issues, i => i.Field == "items[0].unitPrice");
    }

    [Fact]
    public void Sku_limits_follow_the_version()
    {
        var items = (IReadOnlyList<OrderItem>)[new OrderItem("Mug", new string('s', 201), 1, 124990, null, ItemType.Goods)];

        Assert.Contains(Issues(With(items: items)), i => i.Field == "items[0].sku");
        Assert.Empty(Issues(With(items: items), "v2"));
    }

    [Theory]
    [InlineData("v4")]
    [InlineData("v2")]
    public void An_email_is_required(string version)
    {
        var issues = Issues(With(customer: new Customer(null, "Jana", "N", null, null)), version);

        Assert.Contains(issues, i => i.Field == "customer.email");
        Assert.Contains(Issues(TwistoTestKit.Draft() with { Customer = null }, version), i => i.Field == "customer.email");
    }

    [Fact]
    public void V4_shopper_names_are_at_most_40_characters()
    {
        var long41 = new string('a', 41);
        var issues = Issues(With(customer: new Customer("a@b.cz", long41, long41, null, null)));

        Assert.Contains(issues, i => i.Field == "customer.firstName");
        Assert.Contains(issues, i => i.Field == "customer.lastName");
        Assert.Empty(Issues(With(customer: new Customer("a@b.cz", new string('a', 40), null, null, null))));
        Assert.Empty(Issues(With(customer: new Customer("a@b.cz", long41, long41, null, null)), "v2"));
    }

    [Theory]
    [InlineData("type", "standard", true)]
    [InlineData("type", "pay-in-three", true)]
    [InlineData("type", "twisto-pay", true)]
    [InlineData("type", "pay-in-four", false)]
    [InlineData("service", "twisto-pay", true)]
    [InlineData("service", "pay-in-three", true)]
    [InlineData("service", "klarna", false)]
    [InlineData("personalId", "12345678901", true)]
    [InlineData("personalId", "123456789012", false)]
    [InlineData("birthDate", "1990-12-31", true)]
    [InlineData("birthDate", "31.12.1990", false)]
    [InlineData("paymentIdentifier", "VS1", false)]
    public void V4_provider_options_are_checked(string key, string value, bool ok)
    {
        var issues = Issues(With(options: new Dictionary<string, string> { [key] = value }));

        Assert.Equal(ok, issues.Count == 0);
        if (!ok)
        {
            Assert.Equal($"providerOptions.{key}", Assert.Single(issues).Field);
        }
    }

    [Theory]
    [InlineData("paymentIdentifier", 140, true)]
    [InlineData("paymentIdentifier", 141, false)]
    public void V2_payment_identifier_is_at_most_140_characters(string key, int length, bool ok) =>
        Assert.Equal(ok, Issues(With(options: new Dictionary<string, string> { [key] = new string('x', length) }), "v2").Count == 0);

    [Fact]
    public void V2_has_no_birth_date_and_type_and_service_must_agree()
    {
        Assert.Single(Issues(With(options: new Dictionary<string, string> { ["birthDate"] = "1990-12-31" }), "v2"));
        Assert.Single(Issues(With(options: new Dictionary<string, string> { ["type"] = "standard", ["service"] = "pay-in-three" })));
        Assert.Empty(Issues(With(options: new Dictionary<string, string> { ["type"] = "standard", ["service"] = "twisto-pay" })));
    }

    [Fact]
    public void Our_order_id_fits_v2_order_external_id_exactly()
    {
        var id = PaymentService.NewOrderId(DateTimeOffset.UtcNow);

        Assert.Equal(36, id.Length);
        var body = Payments.Providers.Twisto.TwistoOrderMapping.ToOrderRequest(TwistoTestKit.Order(id: id), TwistoTestKit.ReturnUrl, new() { MerchantReference = "e1" });
        Assert.Equal(id, body.OrderExternalId);
    }

    [Theory]
    [InlineData("Újezd 450/40", "Újezd", "450/40")]
    [InlineData("Bahnhofstrasse 1", "Bahnhofstrasse", "1")]
    [InlineData("ul. Marszałkowska 10a", "ul. Marszałkowska", "10a")]
    [InlineData("Na Příkopě", "Na Příkopě", null)]
    [InlineData("12", "12", null)]
    public void Street_numbers_are_split_off_for_v2(string line1, string name, string? number) =>
        Assert.Equal((name, number), Payments.Providers.Twisto.TwistoOrderMapping.SplitStreet(line1));
}
