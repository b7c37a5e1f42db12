using Payments.Providers.Twisto;

namespace Payments.Providers.Tests.Twisto;

public sealed class TwistoStatusMappingTests
{
    [Theory]
    [MemberData(nameof(TwistoTestKit.CheckoutStates), MemberType = typeof(TwistoTestKit))]
    public void Every_v4_checkout_state_has_a_meaning(string state, PaymentStatus? expected)
    {
        Assert.True(TwistoStatusMapping.TryMapCheckout(state, out var status));
        Assert.Equal(expected, status);
    }

    [Theory]
    [MemberData(nameof(TwistoTestKit.OrderStatuses), MemberType = typeof(TwistoTestKit))]
    public void Every_v2_order_status_has_a_meaning(string word, PaymentStatus? expected)
    {
        Assert.True(TwistoStatusMapping.TryMapOrder(word, out var status));
        Assert.Equal(expected, status);
    }

    [Theory]
    [InlineData("rejected", null)]
    [InlineData("authorised", PaymentStatus.Authorized)]
    [InlineData("authorized", PaymentStatus.Authorized)]
    [InlineData("captured", PaymentStatus.Succeeded)]
    [InlineData("cancelled", PaymentStatus.Cancelled)]
    [InlineData("refunded", PaymentStatus.Refunded)]
    [InlineData("error", null)]
    public void Every_v4_charge_state_has_a_meaning(string word, PaymentStatus? expected)
    {
        Assert.True(TwistoStatusMapping.TryMapCharge(word, out var status));
        Assert.Equal(expected, status);
    }

    [Fact]
    public void The_lists_are_exactly_the_documented_words()
    {
        Assert.Equal(["created", "approved", "completed", "cancelled", "error"], TwistoStatusMapping.CheckoutStates);
        Assert.Equal(["new", "data_completed", "checking", "rejected", "accepted", "canceled", "activated", "refunded", "error"], TwistoStatusMapping.OrderStatuses);
        Assert.All(TwistoStatusMapping.CheckoutStates, s => Assert.True(TwistoStatusMapping.TryMapCheckout(s, out _)));
        Assert.All(TwistoStatusMapping.OrderStatuses, s => Assert.True(TwistoStatusMapping.TryMapOrder(s, out _)));
        Assert.All(TwistoStatusMapping.ChargeStates, s => Assert.True(TwistoStatusMapping.TryMapCharge(s, out _)));
        Assert.Equal(TwistoStatusMapping.CheckoutStates, TwistoTestKit.CheckoutStates.Select(row => (string)row[0]));
        Assert.Equal(TwistoStatusMapping.OrderStatuses, TwistoTestKit.OrderStatuses.Select(row => (string)row[0]));
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("COMPLETED")]
    [InlineData("canceled")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_v4_words_parse_to_no_change(string? word)
    {
        Assert.False(TwistoStatusMapping.TryMapCheckout(word, out var status));
        Assert.Null(status);
    }

    [Theory]
    [InlineData("settled")]
    [InlineData("cancelled")]
    [InlineData("completed")]
    [InlineData(null)]
    public void Unknown_v2_words_parse_to_no_change(string? word)
    {
        Assert.False(TwistoStatusMapping.TryMapOrder(word, out var status));
        Assert.Null(status);
        Assert.False(TwistoStatusMapping.TryMapCharge(word == "cancelled" ? "voided" : word, out _));
    }

    [Fact]
    public void The_version_picks_the_table()
    {
        Assert.True(TwistoStatusMapping.TryMap("v2", "activated", out var v2));
        Assert.Equal(PaymentStatus.Succeeded, v2);
        Assert.False(TwistoStatusMapping.TryMap("v4", "activated", out var v4));
        Assert.Null(v4);
    }
}
