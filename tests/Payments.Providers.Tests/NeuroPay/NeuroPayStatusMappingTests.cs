using Payments.Providers.NeuroPay;

namespace Payments.Providers.Tests.NeuroPay;

public sealed class NeuroPayStatusMappingTests
{
    public static TheoryData<string, PaymentStatus?> Documented => new()
    {
        { "created", null },
        { "reserved", PaymentStatus.Authorized },
        { "reserve released", PaymentStatus.Cancelled },
        { "paid", PaymentStatus.Succeeded },
        { "refunded", PaymentStatus.Refunded },
        { "partialRefund", PaymentStatus.PartiallyRefunded },
        { "revoked", PaymentStatus.Cancelled },
        { "failed", PaymentStatus.Failed },
        { "canceled", PaymentStatus.Cancelled },
    };

    [Theory]
    [MemberData(nameof(Documented))]
    public void Every_documented_status_is_mapped(string status, PaymentStatus? expected)
    {
        Assert.True(NeuroPayStatusMapping.TryMap(status, out var mapped));
        Assert.Equal(expected, mapped);
    }

    [Fact]
    public void The_theory_covers_every_documented_status()
    {
        Assert.Equal(NeuroPayStatusMapping.KnownStatuses.Order(), Documented.Select(row => (string)row[0]).Order());
        Assert.Equal(9, NeuroPayStatusMapping.KnownStatuses.Count);
    }

    [Theory]
    [InlineData("chargeback")]
    [InlineData("PAID")]
    [InlineData("partial_refund")]
    [InlineData("reserve_released")]
    [InlineData("cancelled")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_words_mean_no_change(string? status)
    {
        Assert.False(NeuroPayStatusMapping.TryMap(status, out var mapped));
        Assert.Null(mapped);
    }

    [Fact]
    public void Revoked_after_payment_is_ignored_by_the_transitions()
    {
        NeuroPayStatusMapping.TryMap("revoked", out var mapped);
        Assert.Equal(TransitionOutcome.Ignored, OrderTransitions.Decide(PaymentStatus.Succeeded, mapped!.Value));
        Assert.Equal(TransitionOutcome.Apply, OrderTransitions.Decide(PaymentStatus.Pending, mapped.Value));
    }
}
