using Payments.Core.Money;
using Payments.Core.Validation;
using Payments.Providers.Next;

namespace Payments.Providers.Tests.Next;

public sealed class NextValidationTests
{
    private static OrderDraft Draft(
        string currency = "CHF",
        IReadOnlyList<OrderItem>? items = null,
        IReadOnlyDictionary<string, string>? options = null,
        Customer? customer = null,
        long amount = 4990) =>
        new("next", "SO-1", new Money(amount, Currency.FromCode(currency)),
            items ?? [new OrderItem("Mug", "1234", 2, 2495, null, ItemType.Goods)],
            customer, "https://shop.example/ok", "https://shop.example/ko", null,
            options ?? new Dictionary<string, string>(), new Dictionary<string, string>());

    [Fact]
    public void A_plain_chf_order_of_catalogue_products_is_fine()
    {
        Assert.Empty(NextOrderMapping.Validate(Draft(items:
        [
            new OrderItem("Mug", "1234", 2, 2495, "8.1", ItemType.Goods),
            new OrderItem("Post", null, 1, 700, null, ItemType.Shipment),
        ], amount: 5690, options: new Dictionary<string, string> { ["paymentGateway"] = "3", ["shippingCode"] = "swiss_post" })));
    }

    [Fact]
    public void Twint_takes_chf_only()
    {
        var issue = Assert.Single(NextOrderMapping.Validate(Draft(currency: "EUR")));
        Assert.Equal("currency", issue.Field);
        Assert.Equal(IssueKind.Unprocessable, issue.Kind);
        Assert.StartsWith("next:", issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("MUG-1")]
    [InlineData("0123")]
    [InlineData("-5")]
    public void Goods_need_a_next_product_id_as_sku(string? sku)
    {
        var issue = Assert.Single(NextOrderMapping.Validate(Draft(items: [new OrderItem("Mug", sku, 2, 2495, null, ItemType.Goods)])));
        Assert.Equal("items[0].sku", issue.Field);
    }

    [Theory]
    [InlineData(ItemType.Discount)]
    [InlineData(ItemType.Round)]
    [InlineData(ItemType.Payment)]
    public void Items_without_a_next_line_are_refused(ItemType type)
    {
        var issues = NextOrderMapping.Validate(Draft(items:
        [
            new OrderItem("Mug", "1234", 2, 2500, null, ItemType.Goods),
            new OrderItem("Other", null, 1, -10, null, type),
        ])).ToList();
        Assert.Contains(issues, i => i.Field == "items[1].type");
    }

    [Fact]
    public void An_order_needs_at_least_one_product()
    {
        var issues = NextOrderMapping.Validate(Draft(items: [new OrderItem("Post", null, 1, 4990, null, ItemType.Shipment)]));
        Assert.Contains(issues, i => i.Field == "items");
    }

    [Theory]
    [InlineData("paymentGateway", "abc")]
    [InlineData("paymentGatewayGroup", "0")]
    [InlineData("shippingCode", "swiss post")]
    public void Provider_options_must_be_next_ids(string key, string value)
    {
        var issue = Assert.Single(NextOrderMapping.Validate(Draft(options: new Dictionary<string, string> { [key] = value })));
        Assert.Equal($"providerOptions.{key}", issue.Field);
    }

    [Fact]
    public void A_shipping_address_must_be_complete()
    {
        var issue = Assert.Single(NextOrderMapping.Validate(Draft(customer:
            new Customer("a@b.ch", null, "Muster", null, new Address("Weg 1", null, "Bern", "3000", null, "CH")))));
        Assert.Equal("customer.address", issue.Field);
    }

    [Fact]
    public void Shipment_items_become_the_shipping_price_and_options_fall_back_to_settings()
    {
        var order = NextTestKit.Order() with
        {
            Amount = new Money(5690, Currency.Chf),
            Items =
            [
                new OrderItem("Mug", "1234", 2, 2495, null, ItemType.Goods),
                new OrderItem("Post", null, 1, 700, null, ItemType.Shipment),
            ],
            ProviderOptions = new Dictionary<string, string>(),
            Subscription = new Subscription("month", 1),
        };

        var body = NextOrderMapping.ToCreateRequest(order, NextTestKit.ReturnUrl,
            new NextOptions { PaymentGateway = 11, PaymentGatewayGroup = 4 });

        Assert.Equal("7.00", body.ShippingPrice);
        Assert.Equal(11, body.PaymentDetails.PaymentGateway);
        Assert.Equal(4, body.PaymentDetails.PaymentGatewayGroup);
        var line = Assert.Single(body.Lines);
        Assert.Equal(new NextLineSubscription("month", 1), line.Subscription);
    }
}
