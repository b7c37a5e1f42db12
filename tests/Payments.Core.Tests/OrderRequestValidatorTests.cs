using System.Text.Json;
using Payments.Core.Orders;
using Payments.Core.Validation;

namespace Payments.Core.Tests;

public class OrderRequestValidatorTests
{
    private static readonly OrderRequestRules Rules = new(
        new HashSet<string> { "next", "twisto" },
        ["https://shop.example", "http://localhost:7071"]);

    public static CreateOrderRequest Valid() => new()
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

    [Fact]
    public void A_complete_request_becomes_a_typed_draft()
    {
        var (draft, issues) = OrderRequestValidator.Validate(Valid(), Rules);
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
        { "items[0].quantity", r => r with { Items = [Valid().Items![0]! with { Quantity = 0 }] }, IssueKind.Invalid },
        { "items[0].unitPrice", r => r with { Items = [Valid().Items![0]! with { UnitPrice = "-24.95" }] }, IssueKind.Invalid },
        { "items[0].unitPrice", r => r with { Items = [Valid().Items![0]! with { UnitPrice = "24.951" }] }, IssueKind.Invalid },
        { "items[0].type", r => r with { Items = [Valid().Items![0]! with { Type = "gift" }] }, IssueKind.Invalid },
        { "items[0].vatRate", r => r with { Items = [Valid().Items![0]! with { VatRate = "108" }] }, IssueKind.Invalid },
        { "items[0].name", r => r with { Items = [Valid().Items![0]! with { Name = " " }] }, IssueKind.Invalid },
        { "items[0]", r => r with { Items = [null] }, IssueKind.Invalid },
        { "items", r => r with { Amount = "50.00" }, IssueKind.Unprocessable },
        { "customer.email", r => r with { Customer = Valid().Customer! with { Email = "not-an-email" } }, IssueKind.Invalid },
        { "customer.address.country", r => r with { Customer = Valid().Customer! with { Address = new AddressRequest { Country = "che" } } }, IssueKind.Invalid },
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
        var (draft, issues) = OrderRequestValidator.Validate(mutate(Valid()), Rules);
        Assert.Null(draft);
        var issue = Assert.Single(issues, i => i.Field == field);
        Assert.Equal(kind, issue.Kind);
    }

    [Fact]
    public void Discount_items_may_be_negative_and_must_still_add_up()
    {
        var request = Valid() with
        {
            Amount = "44.90",
            Items =
            [
                Valid().Items![0],
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
        var a = OrderRequestValidator.Validate(Valid() with { Metadata = new Dictionary<string, string?> { ["a"] = "1", ["b"] = "2" } }, Rules).Draft!;
        var b = OrderRequestValidator.Validate(Valid() with { Metadata = new Dictionary<string, string?> { ["b"] = "2", ["a"] = "1" } }, Rules).Draft!;
        var c = OrderRequestValidator.Validate(Valid() with { Metadata = new Dictionary<string, string?> { ["a"] = "1", ["b"] = "3" } }, Rules).Draft!;
        Assert.Equal(OrderFingerprint.Of(a), OrderFingerprint.Of(b));
        Assert.NotEqual(OrderFingerprint.Of(a), OrderFingerprint.Of(c));
    }
}
