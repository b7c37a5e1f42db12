using Payments.Core.Validation;
using Payments.Providers.NeuroPay;

namespace Payments.Providers.Tests.NeuroPay;

public sealed class NeuroPayValidationTests
{
    private static List<ValidationIssue> Issues(IReadOnlyDictionary<string, string>? options = null, long amount = 4990, Subscription? subscription = null) =>
        NeuroPayOrderMapping.Validate(NeuroPayTestKit.Draft(options, amount, subscription)).ToList();

    [Fact]
    public void A_plain_order_and_every_known_option_pass()
    {
        Assert.Empty(Issues());
        Assert.Empty(Issues(new Dictionary<string, string>
        {
            ["capture"] = "false",
            ["allowSaveCard"] = "True",
            ["customerId"] = NeuroPayTestKit.CustomerId,
            ["cardId"] = "card_1",
            ["template"] = "iframe",
            ["message"] = "Thank you!",
        }));
    }

    [Theory]
    [InlineData("capture", "yes")]
    [InlineData("allowSaveCard", "1")]
    [InlineData("customerId", "a/b")]
    [InlineData("customerId", "")]
    [InlineData("template", "popup")]
    [InlineData("message", " ")]
    [InlineData("message", "line\nbreak")]
    [InlineData("captureMode", "manual")]
    public void Bad_options_are_422s_naming_neuropay(string key, string value)
    {
        var issue = Assert.Single(Issues(new Dictionary<string, string> { [key] = value }));

        Assert.Equal($"providerOptions.{key}", issue.Field);
        Assert.Equal(IssueKind.Unprocessable, issue.Kind);
        Assert.StartsWith("neuropay: ", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_card_needs_its_customer()
    {
        var issue = Assert.Single(Issues(new Dictionary<string, string> { ["cardId"] = "card_1" }));
        Assert.Equal("providerOptions.cardId", issue.Field);
    }

    [Fact]
    public void A_message_longer_than_255_is_refused()
    {
        Assert.Single(Issues(new Dictionary<string, string> { ["message"] = new string('x', 256) }));
        Assert.Empty(Issues(new Dictionary<string, string> { ["message"] = new string('x', 255) }));
    }

    [Fact]
    public void The_amount_must_fit_an_int()
    {
        Assert.Equal("amount", Assert.Single(Issues(amount: (long)int.MaxValue + 1)).Field);
        Assert.Empty(Issues(amount: int.MaxValue));
    }

    [Fact]
    public void A_subscription_needs_a_customer_that_may_save_the_card()
    {
        var monthly = new Subscription("month", 1);
        Assert.Equal("providerOptions.customerId", Assert.Single(Issues(subscription: monthly)).Field);
        Assert.Equal("providerOptions.allowSaveCard", Assert.Single(Issues(
            new Dictionary<string, string> { ["customerId"] = NeuroPayTestKit.CustomerId, ["allowSaveCard"] = "false" }, subscription: monthly)).Field);
        Assert.Empty(Issues(new Dictionary<string, string> { ["customerId"] = NeuroPayTestKit.CustomerId }, subscription: monthly));
    }

    [Theory]
    [InlineData("duplicate", "duplicate")]
    [InlineData("requested_by_customer", "requested_by_customer")]
    [InlineData("fraudulent", "fraudolent")]
    [InlineData(null, null)]
    [InlineData("other", null)]
    public void Refund_reasons_are_translated_at_the_edge(string? ours, string? theirs)
    {
        Assert.Equal(theirs, NeuroPayOrderMapping.RefundReason(ours));
    }

    [Fact]
    public void The_default_message_comes_from_the_merchant_reference()
    {
        Assert.Equal("Order SO-1001", NeuroPayOrderMapping.Message(NeuroPayTestKit.Order()));
        Assert.Equal("Hi", NeuroPayOrderMapping.Message(NeuroPayTestKit.Order(options: new Dictionary<string, string> { ["message"] = "Hi" })));
    }
}
