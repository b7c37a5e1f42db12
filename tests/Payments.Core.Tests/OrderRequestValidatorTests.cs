using System.Text.Json;

namespace Payments.Core.Tests;

public class OrderRequestValidatorTests
{
    private static readonly OrderRequestRules Rules = new(
        new HashSet<string> { "next", "twisto" },
        ["https://shop.example", "http://localhost:7071"]);

    [Fact]
    public void A_complete_request_becomes_a_typed_draft()
    {
        var (draft, issues) = OrderRequestValidator.Validate(Requests.Order(), Rules);
        Assert.Empty(issues);
        Assert.NotNull(draft);
        Assert.Equal(4990, draft.Amount.Minor);
        Assert.Equal(2495, draft.Items[0].UnitPriceMinor);
        Assert.Equal("false", draft.ProviderOptions["capture"]);
        Assert.Equal("3", draft.ProviderOptions["paymentGateway"]);
    }

    public static TheoryData<string, Func<CreateOrderRequest, CreateOrderRequest>, IssueKind> BadRequests() => new()
    {
        { "provider", r => r with { Provider = "paypal" }, IssueKind.Invalid },
        { "provider", r => r with { Provider = null }, IssueKind.Invalid },
        { "merchantReference", r => r with { MerchantReference = "SO/1" }, IssueKind.Invalid },
        { "merchantReference", r => r with { MerchantReference = "SO\\1" }, IssueKind.Invalid },
        { "merchantReference", r => r with { MerchantReference = "SO#1" }, IssueKind.Invalid },
        { "merchantReference", r => r with { MerchantReference = "SO?1" }, IssueKind.Invalid },
        { "merchantReference", r => r with { MerchantReference = "SO\u00011" }, IssueKind.Invalid },
        { "merchantReference", r => r with { MerchantReference = new string('x', 101) }, IssueKind.Invalid },
        { "amount", r => r with { Amount = "-1.00", Items = null }, IssueKind.Invalid },
        { "amount", r => r with { Amount = "49.901", Items = null }, IssueKind.Invalid },
        { "amount", r => r with { Amount = "0", Items = null }, IssueKind.Invalid },
        { "amount", r => r with { Amount = null }, IssueKind.Invalid },
        { "currency", r => r with { Currency = "XYZ" }, IssueKind.Invalid },
        { "currency", r => r with { Currency = "chf" }, IssueKind.Invalid },
        { "items[0].quantity", r => r with { Items = [Requests.Order().Items![0]! with { Quantity = 0 }] }, IssueKind.Invalid },
        { "items[0].unitPrice", r => r with { Items = [Requests.Order().Items![0]! with { UnitPrice = "-24.95" }] }, IssueKind.Invalid },
        { "items[0].unitPrice", r => r with { Items = [Requests.Order().Items![0]! with { UnitPrice = "24.951" }] }, IssueKind.Invalid },
        { "items[0].type", r => r with { Items = [Requests.Order().Items![0]! with { Type = "gift" }] }, IssueKind.Invalid },
        { "items[0].vatRate", r => r with { Items = [Requests.Order().Items![0]! with { VatRate = "108" }] }, IssueKind.Invalid },
        { "items[0].name", r => r with { Items = [Requests.Order().Items![0]! with { Name = " " }] }, IssueKind.Invalid },
        { "items[0]", r => r with { Items = [null] }, IssueKind.Invalid },
        { "items", r => r with { Amount = "50.00" }, IssueKind.Unprocessable },
        { "customer.email", r => r with { Customer = Requests.Order().Customer! with { Email = "not-an-email" } }, IssueKind.Invalid },
        { "customer.address.country", r => r with { Customer = Requests.Order().Customer! with { Address = new AddressRequest { Country = "che" } } }, IssueKind.Invalid },
        { "successUrl", r => r with { SuccessUrl = "https://evil.example/done" }, IssueKind.Unprocessable },
        { "failureUrl", r => r with { FailureUrl = "https://shop.example.evil.example/x" }, IssueKind.Unprocessable },
        { "successUrl", r => r with { SuccessUrl = "javascript:alert(1)" }, IssueKind.Invalid },
        { "successUrl", r => r with { SuccessUrl = "/relative" }, IssueKind.Invalid },
        { "successUrl", r => r with { SuccessUrl = "https://user:pw@shop.example/x" }, IssueKind.Invalid },
        { "successUrl", r => r with { SuccessUrl = "http://shop.example/done" }, IssueKind.Unprocessable }, // http is another origin
        { "subscription.interval", r => r with { Subscription = new SubscriptionRequest { Interval = "fortnight" } }, IssueKind.Invalid },
        { "subscription.intervalCount", r => r with { Subscription = new SubscriptionRequest { Interval = "month", IntervalCount = 0 } }, IssueKind.Invalid },
        { "providerOptions.x", r => r with { ProviderOptions = new Dictionary<string, JsonElement> { ["x"] = JsonDocument.Parse("{}").RootElement } }, IssueKind.Invalid },
        { "providerOptions.bad key", r => r with { ProviderOptions = new Dictionary<string, JsonElement> { ["bad key"] = JsonDocument.Parse("1").RootElement } }, IssueKind.Invalid },
        { "metadata.k", r => r with { Metadata = new Dictionary<string, string?> { ["k"] = null } }, IssueKind.Invalid },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Each_bad_field_is_reported_by_its_path(string field, Func<CreateOrderRequest, CreateOrderRequest> mutate, IssueKind kind)
    {
        var (draft, issues) = OrderRequestValidator.Validate(mutate(Requests.Order()), Rules);
        Assert.Null(draft);
        var issue = Assert.Single(issues, i => i.Field == field);
        Assert.Equal(kind, issue.Kind);
    }

    [Fact]
    public void Discount_items_may_be_negative_and_must_still_add_up()
    {
        var request = Requests.Order() with
        {
            Amount = "44.90",
            Items =
            [
                Requests.Order().Items![0],
                new OrderItemRequest { Name = "Voucher", Quantity = 1, UnitPrice = "-5.00", Type = "discount" },
            ],
        };
        var (draft, issues) = OrderRequestValidator.Validate(request, Rules);
        Assert.Empty(issues);
        Assert.Equal(-500, draft!.Items[1].UnitPriceMinor);
    }

    [Fact]
    public void Origins_compare_scheme_host_and_port()
    {
        Assert.True(OrderRequestValidator.IsAllowedRedirect("http://localhost:7071/x?y=1", Rules.AllowedRedirectOrigins));
        Assert.False(OrderRequestValidator.IsAllowedRedirect("http://localhost:7072/x", Rules.AllowedRedirectOrigins));
        Assert.True(OrderRequestValidator.IsAllowedRedirect("https://SHOP.example:443/x", Rules.AllowedRedirectOrigins));
    }

    [Fact]
    public void The_fingerprint_ignores_dictionary_order_but_not_content()
    {
        var a = OrderRequestValidator.Validate(Requests.Order() with { Metadata = new Dictionary<string, string?> { ["a"] = "1", ["b"] = "2" } }, Rules).Draft!;
        var b = OrderRequestValidator.Validate(Requests.Order() with { Metadata = new Dictionary<string, string?> { ["b"] = "2", ["a"] = "1" } }, Rules).Draft!;
        var c = OrderRequestValidator.Validate(Requests.Order() with { Metadata = new Dictionary<string, string?> { ["a"] = "1", ["b"] = "3" } }, Rules).Draft!;
        Assert.Equal(OrderFingerprint.Of(a), OrderFingerprint.Of(b));
        Assert.NotEqual(OrderFingerprint.Of(a), OrderFingerprint.Of(c));
    }

    private static OrderItemRequest[] Gold(int count, string unitPrice = "100000000000.00", string? type = null) =>
        Enumerable.Range(0, count).Select(i => new OrderItemRequest { Name = $"Gold {i}", Quantity = 100_000, UnitPrice = unitPrice, Type = type }).ToArray();

    [Fact]
    public void Items_whose_total_overflows_a_long_are_invalid_not_an_exception()
    {
        var (draft, issues) = OrderRequestValidator.Validate(Requests.Order() with { Items = Gold(10) }, Rules);
        Assert.Null(draft);
        var issue = Assert.Single(issues);
        Assert.Equal(("items", IssueKind.Invalid), (issue.Field, issue.Kind));

        // Discounts are bounded the same way, so that no sum of a subset of lines overflows either.
        (draft, issues) = OrderRequestValidator.Validate(Requests.Order() with { Items = [.. Gold(10), .. Gold(10, "-100000000000.00", "discount")] }, Rules);
        Assert.Null(draft);
        Assert.Contains(issues, i => i.Field == "items" && i.Kind == IssueKind.Invalid);
    }

    [Theory]
    [InlineData(Charges.ChargeKind.Upsell, null)]
    [InlineData(Charges.ChargeKind.Recurring, "10.00")]
    public void Charge_items_whose_total_overflows_a_long_are_invalid_not_an_exception(Charges.ChargeKind kind, string? amount)
    {
        var (draft, issues) = OrderRequestValidator.ValidateCharge(kind, amount, Gold(10), null, Money.Currency.FromCode("CHF"), DateTimeOffset.UnixEpoch);
        Assert.Null(draft);
        Assert.Contains(issues, i => i.Field == "items" && i.Kind == IssueKind.Invalid);
    }

    [Fact]
    public void The_largest_total_is_still_accepted()
    {
        OrderItemRequest[] items = [new OrderItemRequest { Name = "Gold", Quantity = 100_000, UnitPrice = "1000000.00" }];
        var (draft, issues) = OrderRequestValidator.Validate(Requests.Order() with { Amount = "100000000000.00", Items = items }, Rules);
        Assert.Empty(issues);
        Assert.Equal(Money.Money.MaxMinor, draft!.Amount.Minor);
    }

    [Fact]
    public void A_lone_surrogate_in_a_provider_option_is_invalid_not_an_exception()
    {
        var options = new Dictionary<string, JsonElement> { ["note"] = JsonDocument.Parse("\"\\ud800\"").RootElement };
        var (draft, issues) = OrderRequestValidator.Validate(Requests.Order() with { ProviderOptions = options }, Rules);
        Assert.Null(draft);
        Assert.Equal(("providerOptions.note", IssueKind.Invalid), (Assert.Single(issues).Field, issues[0].Kind));
    }
}
